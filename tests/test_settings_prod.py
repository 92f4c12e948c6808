"""Production settings: `manage.py check --deploy` passes without a single warning when the
environment gives real secrets and a pinned trust anchor, and the portal refuses to start
without them; no demo content can be loaded."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization

from gis_portal.identity.eds.certificates import sha256_fingerprint
from tests.identity.eds_pki import RsaAuthority, as_asn1
from tests.support.servers import ROOT

PROD = "gis_portal.settings.prod"


@pytest.fixture(scope="module")
def production_environment(tmp_path_factory) -> dict[str, str]:
    """What an operator sets: real-looking secrets and a throwaway (non-test) root, pinned."""
    root = RsaAuthority.root("Tugan Zher Portal Root CA")
    anchor = tmp_path_factory.mktemp("anchors") / "root.pem"
    anchor.write_bytes(root.certificate.public_bytes(serialization.Encoding.PEM))
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DJANGO_", "TZ_", "EDS_"))}
    return {**environment,
            "DJANGO_SETTINGS_MODULE": PROD,
            "DJANGO_SECRET_KEY": "k7#Qv9xM2pL8wN4rT6yB1cF3hJ5dG0sA-eZuXoIiKmPnRbVqWtY",
            "DJANGO_ALLOWED_HOSTS": "tuganzher.kz",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://tuganzher.kz",
            "TZ_IDENTITY_HASH_KEY": "Wq3eR5tY7uI9oP1aS3dF5gH7jK9lZ2xC4vB6nM8",
            "TZ_PRIVACY_KEYS": f"{Fernet.generate_key().decode()},"
                               f"{Fernet.generate_key().decode()}",
            "TZ_PRIVACY_INDEX_KEY": "Zx8Cv6Bn4Mm2Lk0Jh9Gf7Ds5Aq3We1Rt-Yu_Io",
            "EDS_TRUST_ANCHORS": str(anchor),
            "EDS_TRUST_ANCHOR_SHA256": sha256_fingerprint(as_asn1(root.certificate))}


def manage(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=180)


def test_check_deploy_passes_without_any_warning(production_environment):
    result = manage(production_environment, "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def test_production_settings_are_https_only_with_short_sessions(production_environment):
    script = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
              "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
              "s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SESSION_COOKIE_AGE, "
              "s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.TZ_DEMO_LOADERS, "
              "'+'.join(map(str, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])))")
    result = manage(production_environment, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True", "31536000", "True", "False", "('HTTP_X_FORWARDED_PROTO',", "'https')",
        "['https://tuganzher.kz']", "28800", "True", "[]",
        # Scripts from the portal itself, or inline only with the response's nonce.
        "'self'+csp.constants.NONCE"]


@pytest.mark.parametrize("variable, value, message", [
    ("TZ_PRIVACY_KEYS", "ZGV2LW9ubHktcHJpdmFjeS1rZXktMzItYnl0ZXMtISE=", "development key"),
    ("TZ_PRIVACY_INDEX_KEY", "dev-only-privacy-index-key", "TZ_PRIVACY_INDEX_KEY"),
    ("DJANGO_SECRET_KEY", "too-short", "DJANGO_SECRET_KEY"),
    ("EDS_TRUST_ANCHOR_SHA256", "00" * 32, "fingerprints"),
    ("EDS_REVOCATION", "none", "EDS_REVOCATION"),
])
def test_production_refuses_to_start_with_development_keys(production_environment, variable,
                                                           value, message):
    result = manage({**production_environment, variable: value}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_no_demo_content_in_production(production_environment):
    result = manage(production_environment, "load_demo_data", "--commit")
    assert result.returncode != 0
    assert "demo data is disabled in these settings" in result.stderr


def test_basemap_host_is_allowed_for_images_only_when_configured():
    from gis_portal.settings.base import basemap_source

    assert basemap_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://*.tile.openstreetmap.org")
    assert basemap_source("https://tiles.example.kz/{z}/{x}/{y}.png") == (
        "https://tiles.example.kz")
