"""Pages of the reviewers' queue, decisions and institutions' appeals (mounted by urls.py)."""

urlpatterns = []
