"""Rebuild the whole anonymised volunteer list (every oblast) and print its counts.

Every action rebuilds only the oblasts it touched, but ages move with the calendar year,
which no action touches: a volunteer born in 2002 is 24 in 2026 and 25 in 2027, so their
age band (and the groups of the small-group rule) change on 1 January without any change to
their questionnaire. Run this command from cron nightly, or at the least once just after New
Year, e.g.

    15 0 * * *  cd /srv/portal && .venv/bin/python manage.py rebuild_volunteer_list

It takes the list's lock for the whole country while it runs; cards whose shown values did
not change are not rewritten (they keep their address).
"""

from django.core.management.base import BaseCommand

from layers.volunteers.anonymity import rebuild_cards


class Command(BaseCommand):
    help = ("Rebuild the anonymised public list of volunteers for the whole country and print "
            "how many are listed and suppressed. Ages move with the calendar year: run it "
            "from cron nightly (at the least just after New Year) so the age bands stay right.")

    def handle(self, *args, **options):
        counts = rebuild_cards()
        self.stdout.write(f"volunteer list rebuilt: {counts['listed']} listed, "
                          f"{counts['suppressed']} suppressed")
