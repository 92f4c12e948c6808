"""Funding rows committed to the test database, for tests that race real threads (each with
its own database connection) or a real server process against it; a test's own transaction
would hide them. `remove()` deletes every row the test made.

Work runs in pool threads through `run`/`map`: each call opens its own connection and closes
it afterwards, so the race is between separate PostgreSQL sessions."""

import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

from django.db import connection, connections, transaction

from gis_portal.funding import actions
from layers.areas.models import AdminArea, Settlement
from tests.accounts.factories import UserFactory


class CommittedFunding:
    def __init__(self, django_db_blocker):
        self._blocker = django_db_blocker
        self.user_ids: list[int] = []
        self.fundraiser_ids: list[int] = []

    def _call(self, function, *args):
        try:
            with self._blocker.unblock():
                return function(*args)
        finally:
            connections.close_all()

    def run(self, function: Callable, *args):
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(self._call, function, *args).result()

    def race(self, function: Callable, arguments: Iterable) -> list:
        """function(argument) for every argument at once, one thread (and one database
        connection) each, all released together by a barrier. Returns results or the
        exceptions raised, in argument order."""
        arguments = list(arguments)
        start = Barrier(len(arguments))

        def contender(argument):
            def body():
                connection.ensure_connection()  # connect before the start, not in the race
                start.wait()
                try:
                    return function(argument)
                except Exception as error:  # noqa: BLE001 - the test inspects it
                    return error
            return self._call(body)

        with ThreadPoolExecutor(len(arguments)) as pool:
            return list(pool.map(contender, arguments))

    def users(self, count: int) -> list:
        def create():
            return [UserFactory(username=f"fund-{uuid.uuid4().hex[:12]}") for _ in range(count)]

        made = self.run(create)
        self.user_ids += [user.pk for user in made]
        return made

    def fundraiser(self, goal: str):
        def create():
            area = (AdminArea.objects.filter(generation__is_current=True, level="district",
                                             parent__kato="190000000").order_by("kato").last())
            used = actions.Fundraiser.objects.values_list("object_id", flat=True)
            target = (Settlement.objects.filter(kato__startswith=area.kato[:4])
                      .exclude(pk__in=list(used)).order_by("-kato").first())
            return actions.open_fundraiser(target=target, goal=Decimal(goal), area=area)

        made = self.run(create)
        self.fundraiser_ids.append(made.pk)
        return made

    def remove(self) -> None:
        """The funding audit refuses DELETE by trigger; for this clean-up of test data only,
        the transaction runs in replica mode, which skips triggers."""
        statements = [
            "DELETE FROM funding_fundingevent WHERE fundraiser_id = ANY(%s)",
            "DELETE FROM funding_pledge WHERE fundraiser_id = ANY(%s)",
            "DELETE FROM funding_fundraiser WHERE id = ANY(%s)",
        ]

        def delete():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                for statement in statements:
                    cursor.execute(statement, [self.fundraiser_ids])
                cursor.execute("DELETE FROM funding_fundingevent WHERE actor_id = ANY(%s)",
                               [self.user_ids])
                cursor.execute("DELETE FROM accounts_staffrole_areas WHERE staffrole_id IN "
                               "(SELECT id FROM accounts_staffrole WHERE user_id = ANY(%s))",
                               [self.user_ids])
                cursor.execute("DELETE FROM accounts_staffrole WHERE user_id = ANY(%s)",
                               [self.user_ids])
                cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [self.user_ids])

        self.run(delete)
        self.user_ids.clear()
        self.fundraiser_ids.clear()
