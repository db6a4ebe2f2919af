"""The pages' stylesheet and the vendored htmx are served (no CDN on the private network)."""

import pytest
from django.templatetags.static import static


@pytest.mark.parametrize("asset", ["css/huimin.css", "vendor/htmx-2.0.11.min.js"])
def test_page_assets_are_served(client, db, asset):
    response = client.get(static(asset))
    assert response.status_code == 200, (
        f"{asset} is not served: settings.STATICFILES_DIRS must include huimin/static"
    )
