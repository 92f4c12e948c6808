"""The bench's HTTP client (bench.load.http_call) against the portal under gunicorn: it must
read exactly what a full HTTP client reads, whether the answer has a Content-Length or is
streamed in chunks."""

import pytest
import requests

from bench.load import http_call, parse_http_response

pytestmark = pytest.mark.django_db


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


@pytest.mark.parametrize("path", [
    "/api/layers/",                            # a JSON page with a Content-Length
    "/api/layers/settlements/export.geojson",  # a streamed export: chunked transfer encoding
    "/api/layers/settlements/?limit=abc",      # a 400 with its JSON error
    "/tiles/settlements/3/5/2.mvt",            # a 204 without a body
])
def test_socket_client_reads_what_requests_reads(portal_server, path):
    expected = requests.get(portal_server + path, timeout=30)
    status, size, body = http_call(_port(portal_server), keep_body=True)(path)
    assert status == expected.status_code
    assert body == expected.content
    assert size == len(expected.content)


def test_streamed_answer_is_chunked_and_decoded(portal_server):
    """The export really arrives chunked, so the decoding above is exercised."""
    response = requests.get(portal_server + "/api/layers/settlements/export.geojson",
                            timeout=30, stream=True)
    assert response.headers.get("Transfer-Encoding") == "chunked"
    response.close()


def test_truncated_body_is_refused():
    whole = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"
    assert parse_http_response(whole) == (200, b"0123456789")
    with pytest.raises(ConnectionError, match="Content-Length"):
        parse_http_response(whole[:-3])
    with pytest.raises(ConnectionError, match="not an HTTP response"):
        parse_http_response(b"garbage")
