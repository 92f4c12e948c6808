"""Two submits of one signed challenge at the same moment, through a real portal server
(gunicorn, 2 workers × 2 threads, on the test database) and two signed-in HTTP sessions:
exactly one confirms, the other is told the challenge was already used.

The test commits its own users (the server cannot see a test's transaction) and deletes
them and their identity rows afterwards, instead of flushing the database."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from gis_portal.identity.models import EdsChallenge, EdsVerification, IdentityConfirmation
from tests.support.servers import running_portal

from .eds_portal import (
    CHALLENGES,
    CommittedUsers,
    content_of,
    http_session,
    sign,
    write_trust_files,
)


@pytest.fixture(scope="module")
def eds_server(rsa_pki, gost_pki, tmp_path_factory, django_db_setup, django_db_blocker):
    files = write_trust_files(tmp_path_factory.mktemp("eds-server-trust"), [rsa_pki, gost_pki])
    with running_portal(django_db_blocker, files.environment(), "test-server-eds") as base_url:
        yield base_url


@pytest.fixture
def users(django_db_blocker):
    committed = CommittedUsers(django_db_blocker)
    yield committed
    committed.remove()


def test_a_double_submit_confirms_exactly_once(eds_server, users, gost_pki):
    user, cookie = users.create()
    first, second = http_session(eds_server, cookie), http_session(eds_server, cookie)
    response = first.post(f"{eds_server}{CHALLENGES}", json={}, timeout=30)
    assert response.status_code == 201, response.text
    challenge = response.json()
    # GOST verification takes about a second in pure Python: both requests are in flight
    # together, and the challenge's row lock decides which one wins.
    cms = sign(gost_pki.valid, content_of(challenge))
    url = f"{eds_server}{CHALLENGES}/{challenge['id']}/verify"
    start = threading.Barrier(2)

    def submit(session):
        start.wait()
        return session.post(url, json={"cms": cms}, timeout=60)

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(submit, [first, second]))

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["reason"] == "challenge_used"
    rows = users.run(lambda: sorted(EdsVerification.objects.filter(challenge_id=challenge["id"])
                                    .values_list("result", "failure_code")))
    assert rows == [("failed", "challenge_used"), ("ok", "")]
    assert users.run(IdentityConfirmation.objects.filter(user=user).count) == 1
    stored = users.run(lambda: EdsChallenge.objects.get(pk=challenge["id"]))
    assert stored.used_at is not None and stored.attempts == 1
