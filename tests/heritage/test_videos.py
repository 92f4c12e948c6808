"""Videos are embedded only from the allowed hosts, and the page frames only their players."""

import pytest

from layers.heritage.models import Video
from layers.heritage.videos import embeddable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url, player", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
])
def test_allowed_links_become_players(url, player):
    assert embeddable(url).embed_url == player


def test_the_allow_list_is_a_setting(settings):
    settings.TZ_HERITAGE_VIDEO_HOSTS = ("vimeo.com",)
    with pytest.raises(Exception, match="only from these hosts: vimeo.com"):
        embeddable("https://www.youtube.com/watch?v=dQw4w9WgXcQ")


def test_staff_add_a_video_and_other_hosts_are_refused(client, culture_officer, monument):
    client.force_login(culture_officer)
    url = f"/heritage/monuments/{monument.pk}/videos/"
    refused = client.post(url, {"url": "https://evil.example.com/embed/1", "title": "Tour"})
    assert refused.status_code == 400
    assert "Videos are embedded only from these hosts" in refused.content.decode()
    refused = client.post(url, {"url": "https://www.youtube.com/watch?v=short", "title": "T"})
    assert refused.status_code == 400
    assert not Video.objects.exists()

    assert client.post(url, {"url": "https://youtu.be/dQw4w9WgXcQ",
                             "title": "A walk around"}).status_code == 302
    response = client.get(f"/heritage/monuments/{monument.pk}/")
    body = response.content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert 'title="A walk around"' in body
    policy = response["Content-Security-Policy"]
    frame_src = next(d for d in policy.split(";") if d.strip().startswith("frame-src"))
    assert "https://www.youtube-nocookie.com" in frame_src
    assert "evil.example.com" not in policy
    # Other pages frame nothing.
    assert "frame-src" not in client.get("/").get("Content-Security-Policy", "")


def test_residents_cannot_add_videos(client, resident, monument):
    client.force_login(resident)
    response = client.post(f"/heritage/monuments/{monument.pk}/videos/",
                           {"url": "https://youtu.be/dQw4w9WgXcQ", "title": "x"})
    assert response.status_code == 403
