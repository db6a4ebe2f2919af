"""/review/: the supervision pages (rule sets, risk dashboard) and the reviewers' and
institutions' pages (queue, review, appeals), each in its own module."""

from huimin.review import queue_urls, supervision_urls

app_name = "review"
urlpatterns = [*supervision_urls.urlpatterns, *queue_urls.urlpatterns]
