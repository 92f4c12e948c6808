"""Videos by link, embedded only from the allowed hosts.

settings.TZ_HERITAGE_VIDEO_HOSTS lists the hosts whose links are accepted (default below). The
portal knows how to embed each provider's player; a link to any other host, or to a host not
in the setting, is refused with a message naming the allowed ones. Pages that embed add the
players' hosts, and only them, to their Content-Security-Policy frame-src (player_hosts()).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from gis_portal.errors import ActionError

DEFAULT_VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com")

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


class VideoRefused(ActionError):
    code = "video_refused"
    field = "url"


@dataclass(frozen=True)
class Embed:
    url: str  # the link as kept (normalised)
    host: str  # the allowed host it matched
    embed_url: str  # the player's address the page frames


def _youtube(parts) -> str | None:
    host = parts.hostname or ""
    if host == "youtu.be":
        video_id = parts.path.strip("/")
    elif parts.path == "/watch":
        video_id = (parse_qs(parts.query).get("v") or [""])[0]
    else:
        match = re.match(r"^/(?:embed|shorts|live)/([^/?#]+)", parts.path)
        video_id = match.group(1) if match else ""
    return video_id if _YOUTUBE_ID.match(video_id) else None


def _vimeo(parts) -> str | None:
    video_id = parts.path.strip("/").split("/")[-1]
    return video_id if _VIMEO_ID.match(video_id) else None


# Provider host → (id parser, player URL pattern, player host for frame-src).
PROVIDERS = {
    "youtube.com": (_youtube, "https://www.youtube-nocookie.com/embed/{id}",
                    "https://www.youtube-nocookie.com"),
    "youtu.be": (_youtube, "https://www.youtube-nocookie.com/embed/{id}",
                 "https://www.youtube-nocookie.com"),
    "vimeo.com": (_vimeo, "https://player.vimeo.com/video/{id}", "https://player.vimeo.com"),
}


def allowed_hosts() -> tuple[str, ...]:
    hosts = getattr(settings, "TZ_HERITAGE_VIDEO_HOSTS", DEFAULT_VIDEO_HOSTS)
    return tuple(host for host in hosts if host in PROVIDERS)


def player_hosts() -> list[str]:
    """Origins the embedding pages may frame: the players of the allowed hosts only."""
    return sorted({PROVIDERS[host][2] for host in allowed_hosts()})


def _base_host(hostname: str) -> str:
    for prefix in ("www.", "m."):
        if hostname.startswith(prefix):
            return hostname[len(prefix):]
    return hostname


def embeddable(url: str) -> Embed:
    """The player to embed for a link, or VideoRefused saying which hosts are allowed."""
    allowed = allowed_hosts()
    listed = ", ".join(allowed) or _("none")
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise VideoRefused(_("Give the full address of the video, e.g. "
                             "https://www.youtube.com/watch?v=…; allowed hosts: %(hosts)s")
                           % {"hosts": listed})
    host = _base_host(parts.hostname.lower())
    if host not in allowed:
        raise VideoRefused(_("Videos are embedded only from these hosts: %(hosts)s. "
                             "%(host)s is not one of them.") % {"hosts": listed, "host": host})
    parse, pattern, _player = PROVIDERS[host]
    video_id = parse(parts)
    if video_id is None:
        raise VideoRefused(_("This is not the address of one video on %(host)s.")
                           % {"host": host})
    return Embed(url=url, host=host, embed_url=pattern.format(id=video_id))
