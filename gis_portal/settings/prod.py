"""Production: HTTPS only, short sessions, no demo content, and refuses to start with
development keys, debug on, test trust anchors or revocation switched off."""

from django.core.exceptions import ImproperlyConfigured

from gis_portal.identity.trust import check_production_trust
from gis_portal.privacy.keys import check_production_keys

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a real secret of 50+ characters")
TZ_IDENTITY_HASH_KEY = env_str("TZ_IDENTITY_HASH_KEY")
if TZ_IDENTITY_HASH_KEY.startswith("dev-only") or len(TZ_IDENTITY_HASH_KEY) < 32:
    raise ImproperlyConfigured("TZ_IDENTITY_HASH_KEY must be a real secret of 32+ characters")
# Personal data of people who need help: real, distinct encryption and index keys only.
check_production_keys(TZ_PRIVACY_KEYS, TZ_PRIVACY_INDEX_KEY)  # noqa: F405

# --- HTTPS ---------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Browsers keep to HTTPS for a year, subdomains included. Not submitted to the browsers' preload
# lists: that is hard to undo and binds every future subdomain, a decision for operations.
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405  (preload, above)
# Behind a reverse proxy that terminates TLS: Django learns the request was HTTPS from this
# header (so redirects, secure cookies and password reset links say https://). Only safe when
# the proxy always sets (or strips) X-Forwarded-Proto itself and clients cannot reach gunicorn
# directly; set DJANGO_BEHIND_TLS_PROXY=0 when Django terminates TLS or no such proxy exists.
if env_bool("DJANGO_BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The portal's own origins (e.g. https://tuganzher.kz), for form posts through the proxy.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- Sessions: a working day, and gone with the browser -----------------------------------------
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- No demo content: `load_demo_data` refuses when the list is empty ----------------------------
TZ_DEMO_LOADERS = []

# EDS: revocation is always checked, and no NCA test CA (or unpinned anchor) is trusted.
if EDS_REVOCATION == "none":  # noqa: F405
    raise ImproperlyConfigured("EDS_REVOCATION='none' is for development, never production")
check_production_trust(EDS_TRUST_ANCHORS, EDS_TRUST_ANCHOR_SHA256)  # noqa: F405
