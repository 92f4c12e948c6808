"""Maintenance job (run it daily, e.g. from cron): pledges not confirmed within
TZ_PLEDGE_HOLD_DAYS expire and free their amounts. It acts; there is no dry run, since the
same expiry happens anyway at the next pledge on each fundraiser."""

from django.core.management.base import BaseCommand

from gis_portal.funding.actions import expire_pledges


class Command(BaseCommand):
    help = "Expire pledges whose hold has ended and free their amounts; prints how many."

    def handle(self, *args, **options):
        count = expire_pledges()
        self.stdout.write(f"{count} pledge(s) expired.")
