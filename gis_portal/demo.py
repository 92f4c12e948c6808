"""Demo content for `make run`: what a visitor of a fresh local portal can look at and log in
with. Each loader is idempotent and listed in settings.TZ_DEMO_LOADERS."""

import logging

from django.contrib.auth import get_user_model

logger = logging.getLogger(__name__)

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "tugan-zher-demo"


def load_demo_admin(report: dict) -> None:
    """A local administrator for the Django admin (map widgets for areas and settlements)."""
    users = get_user_model().objects
    if users.filter(username=DEMO_ADMIN_USERNAME).exists():
        report["unchanged"].append(f"user {DEMO_ADMIN_USERNAME}")
        return
    users.create_superuser(DEMO_ADMIN_USERNAME, "admin@example.kz", DEMO_ADMIN_PASSWORD)
    report["created"].append(f"user {DEMO_ADMIN_USERNAME} (password {DEMO_ADMIN_PASSWORD})")
