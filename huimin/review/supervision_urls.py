"""Pages of fund supervision: rule sets and the risk dashboard (mounted by urls.py)."""

urlpatterns = []
