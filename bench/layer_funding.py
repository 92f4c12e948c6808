"""Pooled funding in the bench: 1,000,000 synthetic pledges over the synthetic projects'
fundraisers (bench/layer_projects.py makes the projects and their fundraisers first), and the
pledge storm: 2 threads × 1,000 pledges on one project through the portal under gunicorn.

Synthetic rows are recognisable: donors are users `bench-donor-<n>` without a usable
password, pledges carry the note SYNTHETIC_NOTE. Totals stay within the CHECKs and equal the sums of
the pledges: a project past fundraising (fully funded by the projects' volume) gets one
confirmed pledge of its whole price; each project raising funds gets an equal share of the
rest, of which 30 % confirmed, 50 % active (held for the coming days), 10 % expired and 10 %
withdrawn, each pledge 80 % / count of the goal: 64 % pledged, 24 % confirmed, so none
becomes fully funded. The fundraisers' running totals and the projects' mirrored totals are
set from the pledges in the same transaction.
"""

import http.client
import json
import threading
import time
from decimal import Decimal
from http.cookies import SimpleCookie

from psycopg.pq import TransactionStatus

from .util import percentile, progress

TARGET_PLEDGES = 1_000_000
SYNTHETIC_NOTE = "bench: synthetic pledge"
DONOR_PREFIX = "bench-donor-"
DONORS = 5_000

# Key (hashed) of the advisory lock that lets one bench run at a time build the volume.
VOLUME_LOCK = "bench:layer_funding volume"

STORM_THREADS = 2
STORM_PLEDGES_PER_THREAD = 1_000
STORM_AMOUNT = Decimal("100.00")
# The goal fits three quarters of the storm's pledges: the rest must be refused (409).
STORM_GOAL = STORM_AMOUNT * STORM_THREADS * STORM_PLEDGES_PER_THREAD * 3 / 4
STORM_DONORS_PER_THREAD = 5


def _count(conn, sql, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _project_content_type(conn) -> int | None:
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM django_content_type "
                    "WHERE app_label = 'projects' AND model = 'socialproject'")
        row = cur.fetchone()
    return row[0] if row else None


def _ensure_donors(conn) -> None:
    """DONORS synthetic users (unusable password) through the ORM, which knows every
    column the user table needs."""
    have = _count(conn, "SELECT count(*) FROM accounts_user WHERE username LIKE %s",
                  [DONOR_PREFIX + "%"])
    if have >= DONORS:
        return
    from django.contrib.auth import get_user_model

    User = get_user_model()
    existing = set(User.objects.filter(username__startswith=DONOR_PREFIX)
                   .values_list("username", flat=True))
    users = []
    for n in range(1, DONORS + 1):
        name = f"{DONOR_PREFIX}{n:05d}"
        if name not in existing:
            user = User(username=name, email=f"{name}@bench.invalid")
            user.set_unusable_password()
            users.append(user)
    User.objects.bulk_create(users, batch_size=1000)


def _synthetic_pledges(conn) -> int:
    return _count(conn, "SELECT count(*) FROM funding_pledge WHERE note = %s",
                  [SYNTHETIC_NOTE])


def ensure_volume(conn) -> dict:
    """Idempotent (one transaction): adds the synthetic pledges once over the synthetic
    projects' fundraisers that have none yet; returns the counts.

    Bench runs started side by side share the bench DB and each one ensures every volume:
    without a lock, a second run would pick the same pledge-less fundraisers while the first
    is still writing, add its own pledges on top once the first commits, and its totals
    would then exceed the goals (CHECK funding_pledged_within_goal). One build at a time
    (a session advisory lock); the count is read again once the lock is held."""
    have = _synthetic_pledges(conn)
    if have >= TARGET_PLEDGES:
        return {"synthetic_pledges": have, "added": 0}
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext(%s))", [VOLUME_LOCK])
    try:
        return _add_pledges(conn)
    finally:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [VOLUME_LOCK])


def _add_pledges(conn) -> dict:
    from . import layer_projects
    from .layer_projects import SYNTHETIC_ORGANISATION

    have = _synthetic_pledges(conn)
    if have >= TARGET_PLEDGES:
        return {"synthetic_pledges": have, "added": 0}
    # The pledges go on the projects' synthetic fundraisers: make sure they exist, whatever
    # the order of LAYER_BENCHES (idempotent: a count when they are there).
    layer_projects.ensure_volume(conn)
    content_type = _project_content_type(conn)
    if content_type is None:
        raise SystemExit("layer_funding: the projects app is not migrated in the bench DB")
    _ensure_donors(conn)
    started = time.monotonic()
    names = {"ct": content_type, "org": SYNTHETIC_ORGANISATION, "note": SYNTHETIC_NOTE,
             "prefix": DONOR_PREFIX + "%"}
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        # The synthetic projects' fundraisers are locked first, so nothing pledges on them
        # meanwhile; those without pledges are then read from a snapshot taken after the lock.
        cur.execute("""
            SELECT f.id FROM funding_fundraiser f
              JOIN projects_socialproject p ON p.id = f.object_id
             WHERE f.content_type_id = %(ct)s AND p.organisation = %(org)s
             ORDER BY f.id FOR UPDATE OF f
        """, names)
        cur.execute("""
            CREATE TEMP TABLE bench_funding_targets ON COMMIT DROP AS
            SELECT f.id, f.object_id, f.goal, f.pledged_total = f.goal AS is_full,
                   row_number() OVER (PARTITION BY f.pledged_total = f.goal ORDER BY f.id)
                       AS n
              FROM funding_fundraiser f
              JOIN projects_socialproject p ON p.id = f.object_id
             WHERE f.content_type_id = %(ct)s AND p.organisation = %(org)s
               AND (f.pledged_total = 0 OR (f.pledged_total = f.goal
                                            AND f.confirmed_total = f.goal))
               AND NOT EXISTS (SELECT 1 FROM funding_pledge x WHERE x.fundraiser_id = f.id)
        """, names)
        cur.execute("SELECT count(*) FILTER (WHERE is_full), "
                    "count(*) FILTER (WHERE NOT is_full) FROM bench_funding_targets")
        full, raising = cur.fetchone()
        if raising == 0 and have:
            # Every synthetic fundraiser has its pledges already: the volume is complete.
            cur.execute("ROLLBACK")
            return {"synthetic_pledges": have, "added": 0}
        if raising == 0:
            cur.execute("ROLLBACK")
            raise SystemExit("layer_funding: no synthetic project fundraisers without "
                             "pledges in the bench DB: run layer_projects first")
        cur.execute("""
            CREATE TEMP TABLE bench_donors ON COMMIT DROP AS
            SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
              FROM accounts_user WHERE username LIKE %(prefix)s
        """, names)
        donors = cur.rowcount
        # Projects past fundraising (fully funded, pledged = confirmed = price): one
        # confirmed pledge of the whole price each, so their totals are backed by pledges.
        cur.execute("""
            INSERT INTO funding_pledge (fundraiser_id, donor_id, amount, status, anonymous,
                                        created_at, expires_at, decided_at, decided_by_id,
                                        note)
            SELECT t.id, d.id, t.goal, 'confirmed', (t.n %% 3 = 0),
                   now() - interval '90 days', now() - interval '76 days',
                   now() - interval '80 days', NULL, %(note)s
              FROM bench_funding_targets t
              JOIN bench_donors d ON d.n = (t.n * 13) %% %(donors)s
             WHERE t.is_full
        """, {**names, "donors": donors})
        added = cur.rowcount
        # Projects raising funds: `per` pledges each, position k mapped onto 20 buckets:
        # 1-6 confirmed, 7-16 active (held for the coming days), 17-18 expired,
        # 19-20 withdrawn; each pledge 80 %% / per of the goal (64 %% pledged, 24 %%
        # confirmed: none becomes fully funded).
        remaining = TARGET_PLEDGES - have - added
        per = max(1, -(-remaining // raising))
        cur.execute("""
            INSERT INTO funding_pledge (fundraiser_id, donor_id, amount, status, anonymous,
                                        created_at, expires_at, decided_at, decided_by_id,
                                        note)
            SELECT t.id, d.id, greatest(trunc(t.goal * 0.8 / %(per)s, 2), 0.01),
                   CASE WHEN b <= 6 THEN 'confirmed' WHEN b <= 16 THEN 'active'
                        WHEN b <= 18 THEN 'expired' ELSE 'withdrawn' END,
                   (k %% 4 = 0),
                   now() - make_interval(days => CASE WHEN b BETWEEN 7 AND 16 THEN k %% 10
                                                       ELSE 20 + b END),
                   now() - make_interval(days => CASE WHEN b BETWEEN 7 AND 16 THEN k %% 10
                                                       ELSE 20 + b END)
                         + make_interval(days => 14),
                   CASE WHEN b <= 6 OR b > 16 THEN now() - make_interval(days => 5) END,
                   NULL, %(note)s
              FROM bench_funding_targets t
             CROSS JOIN LATERAL (SELECT k, (k - 1) * 20 / %(per)s + 1 AS b
                                   FROM generate_series(1, %(per)s) AS k) AS position
              JOIN bench_donors d ON d.n = ((t.n * 7 + k * 131) %% %(donors)s)
             WHERE NOT t.is_full AND (t.n - 1) * %(per)s + k <= %(remaining)s
               AND t.goal * 0.8 / %(per)s >= 0.01
        """, {**names, "per": per, "donors": donors, "remaining": remaining})
        added += cur.rowcount
        cur.execute("""
            UPDATE funding_fundraiser f
               SET pledged_total = s.pledged, confirmed_total = s.confirmed, updated_at = now()
              FROM (SELECT p.fundraiser_id,
                           coalesce(sum(p.amount) FILTER (
                               WHERE p.status IN ('active', 'confirmed')), 0) AS pledged,
                           coalesce(sum(p.amount) FILTER (WHERE p.status = 'confirmed'), 0)
                               AS confirmed
                      FROM funding_pledge p
                     WHERE p.fundraiser_id IN (SELECT id FROM bench_funding_targets
                                               WHERE NOT is_full)
                     GROUP BY p.fundraiser_id) s
             WHERE f.id = s.fundraiser_id
        """)
        # The projects mirror their fundraiser's totals (layers.projects funding_changed).
        cur.execute("""
            UPDATE projects_socialproject p
               SET pledged = f.pledged_total, confirmed = f.confirmed_total
              FROM funding_fundraiser f
             WHERE f.id IN (SELECT id FROM bench_funding_targets WHERE NOT is_full)
               AND p.id = f.object_id
        """)
        cur.execute("COMMIT")
        cur.execute("ANALYZE funding_pledge")
        cur.execute("ANALYZE funding_fundraiser")
    progress(f"layer_funding: {added} pledges over {full + raising} fundraisers in "
             f"{time.monotonic() - started:.0f} s")
    return {"synthetic_pledges": have + added, "added": added,
            "fundraisers_raising": raising, "fundraisers_funded": full, "donors": donors}


def scenarios(ctx) -> list:
    """No latency pairs of its own: the projects' scenarios cover the lists and tiles that
    read the funding totals (mirrored on the project)."""
    return []


# --- the pledge storm ----------------------------------------------------------------------

def _storm_fundraiser():
    """A fresh published project (synthetic, recognisable by its title) and its fundraiser
    of STORM_GOAL tenge, made through the portal's own actions."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from gis_portal.funding.actions import open_fundraiser
    from layers.areas.models import Settlement
    from layers.projects.actions import project_area
    from layers.projects.models import SocialProject

    settlement = (Settlement.objects.filter(geom__isnull=False, kato__startswith="75")
                  .order_by("kato").first())
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    project = SocialProject.objects.create(
        kind=SocialProject.Kind.CHARITY,
        title_kk=f"Bench pledge storm {stamp}", title_ru=f"Bench pledge storm {stamp}",
        title_en=f"Bench pledge storm {stamp}", organisation="bench",
        settlement=settlement, geom=settlement.geom or Point(76.9, 43.25, srid=4326),
        status=SocialProject.Status.PUBLISHED, price=STORM_GOAL, published_at=timezone.now())
    return open_fundraiser(target=project, goal=STORM_GOAL, area=project_area(project))


def _storm_sessions(count: int) -> list[str]:
    """Signed-in session keys of `count` synthetic donors (the portal shares this process's
    SECRET_KEY and database, so a session made here is valid there)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    keys = []
    for n in range(1, count + 1):
        user, _ = User.objects.get_or_create(username=f"{DONOR_PREFIX}storm-{n:02d}",
                                             defaults={"email": f"storm{n}@bench.invalid"})
        client = Client()
        client.force_login(user)
        keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return keys


def _request(port, method, path, headers, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **headers})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Set-Cookie") or ""
    finally:
        conn.close()


def _csrf_token(port, fundraiser_id, session_cookie) -> str:
    """The CSRF cookie a signed-in donor gets with the fundraiser's page (the prod cookie is
    Secure, so it is carried by hand over the bench's plain HTTP)."""
    from django.conf import settings

    status, _, set_cookie = _request(port, "GET", f"/funding/{fundraiser_id}/",
                                     {"Cookie": session_cookie})
    if status != 200:
        raise RuntimeError(f"fundraiser page answered {status}")
    cookies = SimpleCookie()
    cookies.load(set_cookie)
    return cookies[settings.CSRF_COOKIE_NAME].value


def extra(ctx) -> dict:
    from django.conf import settings

    from gis_portal.funding.models import Fundraiser, Pledge

    fundraiser = _storm_fundraiser()
    keys = _storm_sessions(STORM_THREADS * STORM_DONORS_PER_THREAD)
    identities = []
    for key in keys:
        cookie = f"{settings.SESSION_COOKIE_NAME}={key}"
        token = _csrf_token(ctx.port, fundraiser.pk, cookie)
        identities.append({"Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={token}",
                           "X-CSRFToken": token, "Content-Type": "application/json",
                           "Accept": "application/json"})
    path = f"/api/funding/{fundraiser.pk}/pledges/"
    body = json.dumps({"amount": str(STORM_AMOUNT)})
    statuses: list[list[int]] = [[] for _ in range(STORM_THREADS)]
    accepted_ids: list[list[int]] = [[] for _ in range(STORM_THREADS)]
    latencies: list[list[float]] = [[] for _ in range(STORM_THREADS)]
    start = threading.Barrier(STORM_THREADS)

    def storm(thread: int):
        mine = identities[thread * STORM_DONORS_PER_THREAD:(thread + 1) * STORM_DONORS_PER_THREAD]
        start.wait()
        for i in range(STORM_PLEDGES_PER_THREAD):
            began = time.perf_counter()
            status, answer, _ = _request(ctx.port, "POST", path, mine[i % len(mine)], body)
            latencies[thread].append((time.perf_counter() - began) * 1000)
            statuses[thread].append(status)
            if status == 201:
                accepted_ids[thread].append(json.loads(answer)["pledge"]["id"])

    progress(f"extra: pledge storm, {STORM_THREADS} threads × {STORM_PLEDGES_PER_THREAD} "
             f"pledges of {STORM_AMOUNT} ₸ on fundraiser {fundraiser.pk} (goal {STORM_GOAL})")
    threads = [threading.Thread(target=storm, args=(t,)) for t in range(STORM_THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began

    all_statuses = [s for per_thread in statuses for s in per_thread]
    accepted = {i for per_thread in accepted_ids for i in per_thread}
    stored = Fundraiser.objects.get(pk=fundraiser.pk)
    pledges = list(Pledge.objects.filter(fundraiser_id=fundraiser.pk)
                   .values_list("pk", "amount", "status"))
    live_sum = sum((amount for _, amount, status in pledges
                    if status in ("active", "confirmed")), Decimal(0))
    all_latencies = sorted(x for per_thread in latencies for x in per_thread)
    result = {
        "requests": len(all_statuses),
        "seconds": round(seconds, 2),
        "pledges_per_s": round(len(all_statuses) / seconds, 1),
        "accepted_201": all_statuses.count(201),
        "refused_409": all_statuses.count(409),
        "other_statuses": {str(s): all_statuses.count(s) for s in set(all_statuses)
                           if s not in (201, 409)},
        "p50_ms": round(percentile(all_latencies, 50), 1),
        "p95_ms": round(percentile(all_latencies, 95), 1),
        "goal": str(stored.goal),
        "pledged_total": str(stored.pledged_total),
        "no_oversubscription": stored.pledged_total <= stored.goal
                               and live_sum == stored.pledged_total,
        "every_accepted_recorded": accepted == {pk for pk, _, _ in pledges}
                                   and len(accepted) == all_statuses.count(201),
    }
    result["ok"] = (result["no_oversubscription"] and result["every_accepted_recorded"]
                    and not result["other_statuses"])
    return result
