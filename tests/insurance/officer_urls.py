"""Test URLconf: the project's URLs plus the officer's pages under /insurance/.

Until huimin/urls.py mounts huimin/insurance/urls.py (which includes officer_urls), the
officer's tests mount the pages here in the "insurance" namespace; once mounted for real,
this adds nothing.
"""

from django.urls import NoReverseMatch, include, path, reverse

from huimin import urls as project_urls


def _mounted() -> bool:
    try:
        reverse("insurance:plan_list", urlconf=project_urls)
    except NoReverseMatch:
        return False
    return True


def _insurance_patterns() -> list:
    # The cashier's huimin/insurance/urls.py, when it exists, shares the namespace.
    try:
        from huimin.insurance import urls as insurance_urls
    except ImportError:
        return []
    return [p for p in insurance_urls.urlpatterns if getattr(p, "urlconf_name", None) is None]


extra = []
if not _mounted():
    from huimin.insurance import officer_urls

    patterns = [*officer_urls.urlpatterns, *_insurance_patterns()]
    extra.append(path("insurance/", include((patterns, "insurance"))))

urlpatterns = [*extra, *[p for p in project_urls.urlpatterns if str(p.pattern) != "insurance/"]]
