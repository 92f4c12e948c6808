from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users in tests
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Models that exist only for the tests of the privacy toolkit's fields.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.privacy_models"]  # noqa: F405
# Static files straight from the app folders: tests run without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A private stand-in layer (hidden columns, coarsened positions) for the layer contract tests.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.standin"]  # noqa: F405
# Uploads of a test run go to a folder of their own, removed when the run ends.
import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tz-media-"))  # noqa: F405
