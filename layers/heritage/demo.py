"""Demo content of the heritage layers for a local portal: the shared sights and nature files
through the importer, a drawn photo of every sight (never downloaded), a culture-department
officer of Almaty city and a few residents' condition reports in each state of handling."""

from django.contrib.auth import get_user_model

from gis_portal.accounts.models import StaffRole
from gis_portal.demo import DEMO_ADMIN_PASSWORD
from gis_portal.photos.actions import add_photo, photos_of
from gis_portal.photos.drawing import drawn_photo
from layers.areas.models import AdminArea

from . import actions
from .importer import import_shared_data
from .models import ConditionReport, Monument, NaturalSite

DEMO_CULTURE_USERNAME = "culture-almaty"
DEMO_RESIDENT_USERNAME = "resident-heritage"
# (sight's row key in kz_notable_sites, kind, comment, handling steps)
DEMO_REPORTS = (
    ("zenkov-cathedral", "litter", "Litter by the south entrance after the weekend.",
     [("resolved", "Cleaned by the park service on Monday.")]),
    ("medeu", "damage", "Two benches by the stairs are broken.",
     [("in_work", "The repair is ordered.")]),
    ("issyk-kurgan", "other", "The information board is faded and hard to read.", []),
)


def _user(username: str, **extra):
    users = get_user_model().objects
    user = users.filter(username=username).first()
    if user is None:
        user = users.create_user(username, f"{username}@example.kz", DEMO_ADMIN_PASSWORD,
                                 **extra)
    return user


def load_demo_heritage(report: dict) -> None:
    imported = import_shared_data(commit=True)
    report["created"].append("heritage: " + "; ".join(r.summary() for r in imported))

    sights = [*Monument.objects.filter(source_key__startswith="kz_notable_sites:"),
              *NaturalSite.objects.filter(source_key__startswith="kz_notable_sites:")]
    drawn = 0
    for seed, sight in enumerate(sights):
        if not photos_of(sight, purpose="main").exists():
            add_photo(user=None, target=sight, upload=drawn_photo(sight.name_en, seed),
                      caption=sight.name_en, purpose="main")
            drawn += 1
    report["created" if drawn else "unchanged"].append(f"heritage: {drawn} drawn photos")

    almaty = AdminArea.objects.get(generation__is_current=True, kato="750000000")
    officer = _user(DEMO_CULTURE_USERNAME)
    role, made = StaffRole.objects.get_or_create(user=officer,
                                                 kind=StaffRole.Kind.CULTURE_OFFICER)
    role.areas.add(almaty)
    if made:
        report["created"].append(f"user {DEMO_CULTURE_USERNAME} (culture department, Almaty; "
                                 f"password {DEMO_ADMIN_PASSWORD})")
    resident = _user(DEMO_RESIDENT_USERNAME)
    made_reports = 0
    for key, kind, comment, steps in DEMO_REPORTS:
        monument = Monument.objects.filter(source_key=f"kz_notable_sites:{key}").first()
        if monument is None or ConditionReport.objects.filter(monument=monument,
                                                              comment=comment).exists():
            continue
        staff = officer if actions.may_manage(officer, monument) else _admin()
        condition = actions.report_condition(user=resident, monument=monument, kind=kind,
                                             comment=comment)
        for status, note in steps:
            actions.handle_report(user=staff, report=condition, status=status, note=note)
        made_reports += 1
    report["created" if made_reports else "unchanged"].append(
        f"heritage: {made_reports} condition reports")


def _admin():
    """The demo administrator handles reports outside Almaty (a country-wide role)."""
    admin = _user("heritage-admin")
    StaffRole.objects.get_or_create(user=admin, kind=StaffRole.Kind.ADMINISTRATOR)
    return admin
