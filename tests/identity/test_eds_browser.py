"""The EDS confirmation page in Debian's headless Chromium against a real portal server and a
local NCALayer stand-in (tests/identity/ncalayer_standin.py) that signs with a throwaway RSA
test key: confirmed, cancelled, NCALayer's error, not running, and a signature the server
refuses, each with its own message; the request the page sends NCALayer is NCALayer's API."""

import base64
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from gis_portal.identity.models import EdsVerification, IdentityConfirmation
from tests.support.browser import refuse_other_hosts

from .eds_portal import sign

pytestmark = pytest.mark.browser




@pytest.fixture
def stand_in_answers(stand_in):
    """Each test sets the stand-in's answer; afterwards it signs with the valid key again."""
    signer = stand_in.signer
    stand_in.requests.clear()
    yield stand_in
    stand_in.answer, stand_in.signer = "sign", signer


def open_page(browser, portal, users, language="en"):
    """A new user signed in on the confirmation page; no request may leave 127.0.0.1 and no
    script may fail."""
    user, session = users.create()
    host = urlsplit(portal).hostname
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"},
                         {"name": "django_language", "value": language, "domain": host,
                          "path": "/"}])
    outside = refuse_other_hosts(context)
    errors, blocked = [], []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The page's own Content-Security-Policy must not block anything the page itself uses.
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    response = page.goto(f"{portal}/identity/eds/")
    assert response.status == 200
    return user, page, response, lambda: (context.close(), outside, errors, blocked)


def finish(close):
    _, outside, errors, blocked = close()
    assert outside == [], f"the page asked other hosts: {outside}"
    assert errors == [], f"script errors: {errors}"
    assert blocked == [], f"blocked by the page's policy: {blocked}"


def test_the_page_gets_the_signature_from_ncalayer_and_confirms(browser, portal, users,
                                                               stand_in_answers):
    user, page, response, close = open_page(browser, portal, users)
    assert (f"connect-src 'self' {stand_in_answers.url};"
            in response.headers["content-security-policy"])
    page.get_by_role("button", name="Sign with NCALayer").click()
    expect(page.locator("[data-eds-status]")).to_contain_text(
        "Your identity is confirmed until", timeout=20_000)
    expect(page.locator("[data-eds-current]")).to_be_hidden()  # "not confirmed" is stale now
    # What the page asked of NCALayer: its basics.sign API, a detached CMS over the challenge.
    (request,) = stand_in_answers.requests
    assert (request["module"], request["method"]) == ("kz.gov.pki.knca.basics", "sign")
    args = request["args"]
    assert args["format"] == "cms" and args["locale"] == "en"
    assert args["signingParams"] == {"decode": True, "encapsulate": False, "digested": False}
    assert args["signerParams"] == {"extKeyUsageOids": ["1.2.398.3.3.4.1.1"]}
    assert base64.b64decode(args["data"]).startswith(b"tugan-zher/eds-challenge/v1\n")
    assert users.run(lambda: EdsVerification.objects.get(user=user).result) == "ok"
    assert users.run(IdentityConfirmation.objects.filter(user=user, method="eds").count) == 1
    finish(close)


@pytest.mark.parametrize(("answer", "message"), [
    ("cancel", "Signing was cancelled. Nothing was sent."),
    ("error", "NCALayer reported an error (INVOCATION_ERROR)."),
], ids=["cancel", "error"])
def test_a_cancel_or_an_ncalayer_error_is_said_plainly(browser, portal, users, stand_in_answers,
                                                       answer, message):
    stand_in_answers.answer = answer
    user, page, _, close = open_page(browser, portal, users)
    page.get_by_role("button", name="Sign with NCALayer").click()
    expect(page.locator("[data-eds-status]")).to_contain_text(message, timeout=20_000)
    assert not users.run(EdsVerification.objects.filter(user=user).exists)
    finish(close)


def test_a_signature_the_server_refuses_shows_the_servers_reason(browser, portal, users,
                                                                 stand_in_answers, rsa_pki):
    stranger = rsa_pki.leaves["untrusted"]
    stand_in_answers.signer = lambda content: sign(stranger, content)
    user, page, _, close = open_page(browser, portal, users)
    page.get_by_role("button", name="Sign with NCALayer").click()
    expect(page.locator("[data-eds-status]")).to_contain_text(
        "The portal did not accept the signature: The certificate was not issued by the "
        "National Certification Authority of Kazakhstan.", timeout=20_000)
    assert users.run(lambda: EdsVerification.objects.get(user=user).failure_code) == (
        "untrusted_root")
    assert not users.run(IdentityConfirmation.objects.filter(user=user).exists)
    finish(close)


@pytest.mark.parametrize(("language", "message"), [
    ("en", "NCALayer is not running."),
    ("kk", "NCALayer іске қосылмаған."),
    ("ru", "NCALayer не запущен."),
], ids=["en", "kk", "ru"])
def test_without_ncalayer_the_page_says_it_is_not_running(browser, portal, users, stand_in,
                                                          language, message):
    _, page, _, close = open_page(browser, portal, users, language)
    with stand_in.stopped():
        page.locator("[data-eds-sign]").click()
        expect(page.locator("[data-eds-status]")).to_contain_text(message, timeout=20_000)
    finish(close)
