"""Production: refuses to start with development keys or debug on."""

from django.core.exceptions import ImproperlyConfigured

from gis_portal.identity.trust import check_production_trust

from .base import *  # noqa: F403
from .env import env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a real secret of 40+ characters")
TZ_IDENTITY_HASH_KEY = env_str("TZ_IDENTITY_HASH_KEY")
if TZ_IDENTITY_HASH_KEY.startswith("dev-only") or len(TZ_IDENTITY_HASH_KEY) < 32:
    raise ImproperlyConfigured("TZ_IDENTITY_HASH_KEY must be a real secret of 32+ characters")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# EDS: revocation is always checked, and no NCA test CA (or unpinned anchor) is trusted.
if EDS_REVOCATION == "none":  # noqa: F405
    raise ImproperlyConfigured("EDS_REVOCATION='none' is for development, never production")
check_production_trust(EDS_TRUST_ANCHORS, EDS_TRUST_ANCHOR_SHA256)  # noqa: F405
