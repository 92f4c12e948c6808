import base64

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gis_portal.privacy.keys import check_production_keys

REAL_1 = Fernet.generate_key().decode()
REAL_2 = Fernet.generate_key().decode()
INDEX = "Zk3n8vQ1-random-index-key-for-tests-only-x9"


def test_real_keys_pass():
    check_production_keys([REAL_1, REAL_2], INDEX)


@pytest.mark.parametrize(("keys", "index_key", "message"), [
    ([], INDEX, "TZ_PRIVACY_KEYS is required"),
    (None, INDEX, "TZ_PRIVACY_KEYS is required"),
    (["not-a-key!"], INDEX, r"TZ_PRIVACY_KEYS\[0\] is not url-safe base64|must decode to 32"),
    ([REAL_1, base64.urlsafe_b64encode(b"short").decode()], INDEX, r"\[1\] must decode to 32"),
    ([REAL_1, REAL_1], INDEX, r"\[1\] repeats"),
    ([REAL_1, base64.urlsafe_b64encode(base64.urlsafe_b64decode(REAL_1)[:16] + b"x" * 16).decode()],
     INDEX, r"\[1\] repeats an earlier key \(or half"),
    ([REAL_1], "", "TZ_PRIVACY_INDEX_KEY is required"),
    ([REAL_1], "dev-only-privacy-index-key", "development key"),
    ([REAL_1], "short-secret", "32\\+ characters"),
    ([REAL_1], REAL_1, "must differ"),
])
def test_bad_keys_are_refused(keys, index_key, message):
    with pytest.raises(ImproperlyConfigured, match=message) as info:
        check_production_keys(keys, index_key)
    for secret in (REAL_1, REAL_2, INDEX):
        assert secret not in str(info.value)


def test_the_development_defaults_are_refused():
    # The defaults of settings/base.py, as a server without the environment would have them.
    with pytest.raises(ImproperlyConfigured, match="development key"):
        check_production_keys(settings.TZ_PRIVACY_KEYS, INDEX)
    with pytest.raises(ImproperlyConfigured, match="development key"):
        check_production_keys([REAL_1], settings.TZ_PRIVACY_INDEX_KEY)
