"""Which responses carry a Content-Security-Policy: documents do, the JSON, GeoJSON and tile
answers under the policy's EXCLUDE_URL_PREFIXES do not (they are never rendered)."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_carry_the_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize("path", ["/api/layers/", "/api/layers/areas/?limit=1",
                                  "/tiles/settlements/3/5/2.mvt", "/api/areas/"])
def test_excluded_api_answers_carry_no_policy_but_keep_their_other_headers(client, path):
    assert path.startswith(tuple(settings.CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"]))
    response = client.get(path)
    assert response.status_code in (200, 204)
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_documentation_page_is_not_excluded(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
