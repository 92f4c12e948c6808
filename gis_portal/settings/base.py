"""Settings shared by every environment. dev, test and prod import this and adjust."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "csp",
    # Login throttling: failed sign-ins per account and address (see AXES_* below).
    "axes",
    "gis_portal",
    "gis_portal.accounts",
    "gis_portal.identity",
    "gis_portal.privacy",
    "gis_portal.photos",
    "gis_portal.funding",
    "gis_portal.plaques",
    "gis_portal.ogc",
    "gis_portal.questions",
    "layers.core",
    "layers.areas",
    "layers.projects",
    "layers.investments",
    "layers.help",
    "layers.volunteers",
    "layers.heritage",
    "layers.routes",
    "tiles",
    "data.boundaries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the portal's own static files (Leaflet and the rest): no CDN, no extra server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte or other control character in an API path or query string: 400 JSON.
    "gis_portal.middleware.RejectControlCharactersMiddleware",
    # The Content-Security-Policy header of every response (CONTENT_SECURITY_POLICY below).
    "gis_portal.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gis_portal.middleware.KazakhFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's message middleware, its storage made only when a message is added or shown.
    "gis_portal.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a throttled sign-in into the lockout page (AXES_LOCKOUT_CALLABLE); last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gis_portal.urls"
WSGI_APPLICATION = "gis_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gis_portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _private_cluster_url() -> str:
    """The private cluster started by scripts/pgcluster.sh records its port in var/pg/port."""
    port_file = BASE_DIR / "var" / "pg" / "port"
    port = port_file.read_text().strip() if port_file.exists() else "5432"
    return f"postgis://postgres@127.0.0.1:{port}/tugan_zher"


DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _private_cluster_url()),
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
    )
}
# Several checkouts or runs may share one server: the test database name is configurable.
DATABASES["default"]["TEST"] = {"NAME": env_str("TZ_TEST_DB_NAME", "test_tugan_zher")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# GDAL 3.6 (Debian 12) cannot block network access for spatial references; the portal never
# passes user-supplied spatial references to GDAL (uploads are read with an explicit CRS check).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# AxesStandaloneBackend first: a locked-out account and address is refused before any password
# is checked (it requires `request` in every authenticate() call).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "gis_portal.accounts.backends.EmailOrPhoneBackend"]
# Login throttling (django-axes): five wrong passwords for one account from one address lock
# that pair out for 15 minutes; a good sign-in clears the count. The account key is resolved
# the way sign-in resolves it, so "+7 701 ..." and "8701..." (or the e-mail) count together.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "gis_portal.accounts.throttle.lockout_key"
AXES_CLIENT_IP_CALLABLE = "gis_portal.accounts.throttle.client_address"
# Reverse proxies of our own in front of gunicorn (production's TLS proxy: 1). 0 uses the peer
# address; otherwise every client would share the proxy's address and one lockout.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_LOCKOUT_CALLABLE = "gis_portal.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not push its end further: the page can say when to retry.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No table of every successful sign-in with address and browser: only failures are kept.
AXES_DISABLE_ACCESS_LOG = True
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "map"
LOGOUT_REDIRECT_URL = "map"
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Tugan Zher <noreply@tuganzher.kz>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Kazakh is the default language; Russian and English are the other two of the programme.
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gis_portal" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "gis_portal" / "static"]
# Uploaded photos and their thumbnails (gis_portal.photos), served by the portal itself.
MEDIA_ROOT = env_path("TZ_MEDIA_ROOT", BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"

# --- Spatial constants -------------------------------------------------------------------------
# Storage and API output are WGS 84 lon/lat: what GPS, Leaflet and every source file use.
SRID = 4326
# Web Mercator: the projection vector tiles are cut in.
TILE_SRID = 3857
# Kazakhstan's extent with a ~0.5° margin (lon min, lat min, lon max, lat max): inputs outside
# it are rejected as "outside Kazakhstan" before any query runs.
KAZAKHSTAN_BBOX = (46.0, 40.0, 87.9, 55.9)
# Map opens over the country's centroid at a zoom that shows all of it on a laptop screen.
MAP_DEFAULT_CENTER = (48.0, 67.5)
MAP_DEFAULT_ZOOM = 5
# ST_Subdivide vertex limit for the lookup table: small pieces keep point-in-polygon to a few
# bounding-box checks and a short ring scan (PostGIS docs recommend 64–255).
AREA_SUBDIVIDE_MAX_VERTICES = 128
# Simplification tolerance in degrees (~500 m) for overview geometry used at low zooms.
AREA_SIMPLIFY_TOLERANCE = 0.005
# Vector tiles: 4096 units per tile edge and a 64-unit buffer, the defaults of the MVT spec
# tools (Martin, PostGIS docs) so tiles match across servers.
TILE_EXTENT = 4096
TILE_BUFFER = 64
# Cap on features in one tile of a point layer: keeps the worst tile small.
TILE_MAX_FEATURES = 20000
# GeoJSON list paging: a page size large enough for a map view, capped for memory.
GEOJSON_DEFAULT_LIMIT = 500
GEOJSON_MAX_LIMIT = 5000
# Nearest-settlement search radius for the click popup.
LOOKUP_NEAREST_SETTLEMENT_KM = 50

# Reference data: a local folder with the source files (tests and CI point it at
# ../shared/data) or, when absent, downloads from the manifest's public URLs.
TZ_DATA_DIR = env_path("TZ_DATA_DIR", BASE_DIR.parent / "shared" / "data")
TZ_DATA_CACHE_DIR = env_path("TZ_DATA_CACHE_DIR", BASE_DIR / "var" / "data-cache")

# Basemap tiles: empty means offline; the map then draws boundaries as its base.
TZ_BASEMAP_URL = env_str("TZ_BASEMAP_URL", "")
TZ_BASEMAP_ATTRIBUTION = env_str("TZ_BASEMAP_ATTRIBUTION", "© OpenStreetMap contributors")

# Identity confirmation: keyed hashes of IINs and document numbers; production sets its own.
TZ_IDENTITY_HASH_KEY = env_str("TZ_IDENTITY_HASH_KEY", "dev-only-identity-hash-key")
# An ID check at a public service centre stays valid this long.
TZ_IN_PERSON_CONFIRMATION_DAYS = env_int("TZ_IN_PERSON_CONFIRMATION_DAYS", 365)
# An EDS confirmation covers reveals for this long (minutes); each reveal is still audited.
TZ_EDS_CONFIRMATION_MINUTES = env_int("TZ_EDS_CONFIRMATION_MINUTES", 30)

# --- Privacy toolkit (gis_portal/privacy): personal data of people who need help and volunteers
# Fernet keys of the encrypted personal-data fields, newest first: values are written under the
# first and read under any (MultiFernet); `manage.py rotate_privacy_keys` re-encrypts old rows.
# The default is a development key; prod.py refuses to start without real keys.
TZ_PRIVACY_KEYS = env_list("TZ_PRIVACY_KEYS", ["ZGV2LW9ubHktcHJpdmFjeS1rZXktMzItYnl0ZXMtISE="])
# Keys the blind indexes (exact look-ups and de-duplication on encrypted values) and the
# deterministic offsets of coarsened positions.
TZ_PRIVACY_INDEX_KEY = env_str("TZ_PRIVACY_INDEX_KEY", "dev-only-privacy-index-key")
# Stats and anonymised lists of private layers never show a group smaller than this.
TZ_PRIVACY_MIN_GROUP = env_int("TZ_PRIVACY_MIN_GROUP", 5)
# Distances to coarsened positions are rounded to this many metres.
TZ_PRIVACY_DISTANCE_ROUND_M = env_int("TZ_PRIVACY_DISTANCE_ROUND_M", 100)

# --- Reveal gate (gis_portal.identity.actions.run_reveal) ---------------------------------------
# A reveal needs a step-up (password again, or an EDS signature naming the target) this recent.
TZ_REVEAL_STEP_UP_MINUTES = env_int("TZ_REVEAL_STEP_UP_MINUTES", 15)
# Reveals one user may run per day.
TZ_REVEAL_DAILY_LIMIT = env_int("TZ_REVEAL_DAILY_LIMIT", 30)
# The one-time code a user shows a public service centre operator is valid this long.
TZ_IN_PERSON_CODE_MINUTES = env_int("TZ_IN_PERSON_CODE_MINUTES", 10)

# --- Pooled funding (gis_portal.funding) ------------------------------------------------------
# A pledge the operator has not confirmed (money not received) expires after this many days
# and frees its amount for other donors.
TZ_PLEDGE_HOLD_DAYS = env_int("TZ_PLEDGE_HOLD_DAYS", 14)
# Help requests: personal data of a fulfilled (or archived) request is erased after this many
# days (manage.py erase_help_personal_data --commit, run daily).
TZ_HELP_ERASE_AFTER_DAYS = env_int("TZ_HELP_ERASE_AFTER_DAYS", 90)

# --- EDS: identity confirmation by an NCA RK electronic signature (design/eds.md B5, B6) ---
# Lists come from the environment comma-separated. gis_portal/identity/trust.py builds the
# verifier from these settings; prod.py refuses test anchors and switched-off revocation.
# Trust anchors: the NCA RK root certificates (PEM or DER files). Empty: EDS confirmation is
# unavailable (the API answers 503); never the client's roots, never the system's.
EDS_TRUST_ANCHORS = env_list("EDS_TRUST_ANCHORS", [])
# SHA-256 fingerprints operations recorded for those files; a mismatch refuses to verify.
EDS_TRUST_ANCHOR_SHA256 = env_list("EDS_TRUST_ANCHOR_SHA256", [])
# NCA RK intermediate certificates, so a chain builds even when the CMS omits them.
EDS_INTERMEDIATES = env_list("EDS_INTERMEDIATES", [])
# "online": OCSP, then CRL, fetched only from EDS_REVOCATION_HOSTS; "offline": only the CRL and
# OCSP files below (tests, or a scheduled CRL cache); "none": no check at all, allowed only
# with DEBUG and logged as a warning on every verification.
EDS_REVOCATION = env_str("EDS_REVOCATION", "online")
EDS_REVOCATION_HOSTS = env_list("EDS_REVOCATION_HOSTS", ["ocsp.pki.gov.kz", "crl.pki.gov.kz"])
EDS_REVOCATION_TIMEOUT_SECONDS = env_int("EDS_REVOCATION_TIMEOUT_SECONDS", 5)
# "online": an OCSP answer produced longer ago than this is refused (the CRL is tried next).
EDS_OCSP_MAX_AGE_SECONDS = env_int("EDS_OCSP_MAX_AGE_SECONDS", 3600)
EDS_REVOCATION_CRLS = env_list("EDS_REVOCATION_CRLS", [])
EDS_REVOCATION_OCSP_RESPONSES = env_list("EDS_REVOCATION_OCSP_RESPONSES", [])
# A challenge is signed within this time, tried at most this often, and a user may ask for
# this many per hour, with at most EDS_MAX_OPEN_CHALLENGES unanswered at once.
EDS_CHALLENGE_TTL_SECONDS = env_int("EDS_CHALLENGE_TTL_SECONDS", 300)
EDS_CHALLENGE_MAX_ATTEMPTS = env_int("EDS_CHALLENGE_MAX_ATTEMPTS", 3)
EDS_CHALLENGES_PER_HOUR = env_int("EDS_CHALLENGES_PER_HOUR", 10)
EDS_MAX_OPEN_CHALLENGES = env_int("EDS_MAX_OPEN_CHALLENGES", 3)
# The portal's origin written into every signed challenge: from here, never the Host header.
EDS_SITE_ORIGIN = env_str("EDS_SITE_ORIGIN", "http://127.0.0.1:8000")
# GOST 34.10-2015-512 keys. Verified against NCA's test PKI, but no CMS made by a real
# NCALayer has been checked yet (identity/eds/README.md, "Known gaps").
EDS_ALLOW_GOST = env_bool("EDS_ALLOW_GOST", True)
# NCALayer's local WebSocket; the confirmation page's Content-Security-Policy allows only it.
EDS_NCALAYER_URL = env_str("EDS_NCALAYER_URL", "wss://127.0.0.1:13579")
# Let NCALayer offer keys of any CA (its signerParams chain: []), e.g. NCA test keys during
# development. The server still accepts only chains to EDS_TRUST_ANCHORS.
EDS_NCALAYER_ANY_CERTIFICATE = env_bool("EDS_NCALAYER_ANY_CERTIFICATE", False)

# The portal's public address: QR plaques and printed plates carry <this>/p/<code>. From
# here, never the Host header (a plate outlives any request).
TZ_PUBLIC_BASE_URL = env_str("TZ_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Demo content for `make run` (dotted paths of idempotent loaders; see gis_portal/demo.py).
TZ_DEMO_LOADERS = ["gis_portal.demo.load_demo_admin", "layers.help.demo.load_demo_help_requests",
                   "layers.heritage.demo.load_demo_heritage", "layers.routes.demo.load_demo_routes",
                   "layers.investments.demo.load_demo_investments",
                   "layers.projects.demo.load_demo_projects",
                   "layers.volunteers.demo.load_demo_volunteers"]

# --- Content-Security-Policy (django-csp): every page runs only the portal's own scripts -------
# No inline script anywhere (data for scripts goes in json_script blocks), no plugins, no
# <base>, no framing, forms post only to the portal, and scripts talk only to the portal. The
# EDS pages add NCALayer's local socket (gis_portal.identity.views); the API docs load Swagger
# UI's initialiser as a script of its own (SpectacularSwaggerSplitView, gis_portal/urls.py).


def basemap_source(url_template: str) -> str:
    """The CSP host source of a tile URL template: https://{s}.tile.example.org/{z}/{x}/{y}.png
    gives https://*.tile.example.org (a placeholder in the host becomes the * wildcard)."""
    scheme, _, rest = url_template.partition("://")
    host = rest.split("/", 1)[0]
    if "{" in host:
        host = "*." + host.split(".", 1)[1]
    return f"{scheme}://{host}"


CONTENT_SECURITY_POLICY = {
    # A policy governs documents; GeoJSON, JSON and vector tiles are never rendered as one
    # (nosniff, exact content types), so the hot API paths skip building the header.
    "EXCLUDE_URL_PREFIXES": ["/tiles/", "/api/layers/", "/api/areas/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        # NONCE: the admin's map widget (django-leaflet) writes one inline script carrying
        # request.csp_nonce; the header names a nonce only on responses that asked for one.
        "script-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "img-src": [SELF, "data:"] + ([basemap_source(TZ_BASEMAP_URL)] if TZ_BASEMAP_URL else []),
        "connect-src": [SELF],
    },
}

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": MAP_DEFAULT_CENTER,
    "DEFAULT_ZOOM": MAP_DEFAULT_ZOOM,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "SPATIAL_EXTENT": KAZAKHSTAN_BBOX,
    "TILES": [(_("Basemap"), TZ_BASEMAP_URL, {"attribution": TZ_BASEMAP_ATTRIBUTION})]
    if TZ_BASEMAP_URL
    else [],
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "layers.core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tugan Zher portal API",
    "DESCRIPTION": (
        "Kazakhstan's administrative geography and the portal's map layers. "
        "Coordinates are WGS 84 longitude/latitude (EPSG:4326)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the portal's own static files: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tiles.schema.add_tile_paths",
        "layers.areas.schema.add_lookup_path",
        "gis_portal.questions.schema.add_question_paths",
        "layers.investments.schema.add_investment_paths",
        "layers.routes.schema.add_route_paths",
        "layers.help.schema.add_help_paths",
        "layers.volunteers.schema.add_volunteer_paths",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
