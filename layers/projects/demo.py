"""Demo social projects for `make run`: clearly labelled demo content in several oblasts, at
every stage of the workflow, with pledges made through gis_portal.funding.actions and drawn
(never downloaded) photos. Idempotent: nothing is added once the demo projects exist."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gis_portal.accounts.models import StaffRole, User
from layers.areas.models import AdminArea, Settlement

from .models import SocialProject

logger = logging.getLogger(__name__)

DEMO_OFFICER = "demo-projects-officer"
DEMO_PASSWORD = "tugan-zher-demo"
DEMO_DONORS = ("demo-donor-aruzhan", "demo-donor-yerlan", "demo-donor-olga")
REFERENCE_PREFIX = "demo-"
# (oblast KATO, kind, title kk / ru / en, estimate lines, stage)
PROJECTS = (
    ("750000000", "infrastructure", ("Аула ауласын абаттандыру", "Благоустройство двора",
                                     "Courtyard landscaping"),
     (("Paving tiles", "240", "m²", "5200"), ("Benches", "8", "pcs", "65000")), "published"),
    ("710000000", "provision", ("Мектепке компьютерлер", "Компьютеры для школы",
                                "Computers for a school"),
     (("Laptop", "12", "pcs", "280000"), ("Wi-Fi router", "2", "pcs", "45000")), "funded"),
    ("190000000", "infrastructure", ("Ауыл жолын жөндеу", "Ремонт сельской дороги",
                                     "Village road repair"),
     (("Asphalt", "300", "m²", "9000"), ("Road marking", "1", "set", "150000")),
     "in_progress"),
    ("350000000", "charity", ("Ағаш отырғызу акциясы", "Акция по посадке деревьев",
                              "Tree planting day"),
     (("Saplings", "500", "pcs", "1800"), ("Watering hoses", "10", "pcs", "12000")),
     "overdue"),
    ("610000000", "targeted_aid", ("Студенттің оқу ақысы", "Оплата обучения студентки",
                                   "A student's tuition"),
     (("Tuition, one year", "1", "year", "950000"),), "completed"),
    ("630000000", "provision", ("Кітапханаға жиһаз", "Мебель для библиотеки",
                                "Library furniture"),
     (("Bookshelf", "10", "pcs", "48000"), ("Reading table", "4", "pcs", "72000")),
     "archived"),
    ("310000000", "charity", ("Наурыз мерекесі", "Праздник Наурыз", "Nauryz festival"),
     (("Stage rental", "1", "day", "200000"), ("Sound system", "1", "day", "120000")),
     "draft"),
    ("590000000", "infrastructure", ("Балалар алаңы", "Детская площадка", "Playground"),
     (("Playground set", "1", "set", "1900000"), ("Rubber surface", "150", "m²", "7500")),
     "published"),
)


def _settlement(oblast_kato: str) -> Settlement | None:
    if oblast_kato in ("750000000", "710000000"):
        return Settlement.objects.filter(kato=oblast_kato, geom__isnull=False).first() or (
            Settlement.objects.filter(kato__startswith=oblast_kato[:2], geom__isnull=False)
            .order_by("kato").first())
    return (Settlement.objects.filter(kato__startswith=oblast_kato[:2], position_source="osm",
                                      okrug__isnull=False).exclude(kato__endswith="00000")
            .order_by("-population", "kato").first())


def load_demo_projects(report: dict) -> None:
    from gis_portal.funding import actions as funding
    from gis_portal.photos.drawing import drawn_photo

    from . import actions
    from .actions import LineInput, ProjectInput

    if SocialProject.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        report["unchanged"].append("demo social projects")
        return
    oblasts = list(AdminArea.objects.filter(generation__is_current=True, level="oblast",
                                            kato__in=[row[0] for row in PROJECTS]))
    if not oblasts:
        report["unchanged"].append("demo social projects (no reference data loaded)")
        return
    officer, created = User.objects.get_or_create(
        username=DEMO_OFFICER, defaults={"first_name": "Demo", "last_name": "Officer",
                                         "email": "projects-officer@example.kz"})
    if created:
        officer.set_password(DEMO_PASSWORD)
        officer.save()
        role = StaffRole.objects.create(user=officer, kind=StaffRole.Kind.AKIMAT_OFFICER)
        role.areas.set(oblasts)
        report["created"].append(f"user {DEMO_OFFICER} (password {DEMO_PASSWORD}), akimat "
                                 f"officer of {len(oblasts)} oblasts")
    donors = []
    for username in DEMO_DONORS:
        donor, made = User.objects.get_or_create(
            username=username, defaults={"first_name": username.split("-")[-1].title(),
                                         "last_name": "(demo)",
                                         "email": f"{username}@example.kz"})
        if made:
            donor.set_password(DEMO_PASSWORD)
            donor.save()
        donors.append(donor)
    areas = {area.kato: area for area in oblasts}
    count = 0
    for number, (oblast, kind, titles, lines, stage) in enumerate(PROJECTS, start=1):
        settlement = _settlement(oblast)
        if settlement is None or oblast not in areas:
            continue
        data = ProjectInput(
            kind=kind, title_kk=f"[Демо] {titles[0]}", title_ru=f"[Демо] {titles[1]}",
            title_en=f"[Demo] {titles[2]}", organisation="Демо ҚБ / Демо НКО / Demo NGO",
            description_kk="Бұл демонстрациялық жоба: нақты қаражат жиналмайды.",
            description_ru="Это демонстрационный проект: реальные деньги не собираются.",
            description_en="This is a demo project: no real money is raised.",
            settlement=settlement, lines=[LineInput(*line) for line in lines],
            deadline=timezone.localdate() + timedelta(days=60 + number),
            report_due=timezone.localdate() + timedelta(days=120 + number),
            beneficiary_name="Demo Beneficiary" if kind == "targeted_aid" else "",
            beneficiary_details="Demo: 2nd-year student" if kind == "targeted_aid" else "",
            reference=f"{REFERENCE_PREFIX}{number}", reference_area=areas[oblast])
        project = actions.create_project(user=officer, data=data)
        actions.add_project_photo(user=officer, project=project,
                                  upload=drawn_photo(titles[2], number), caption=titles[2])
        count += 1
        if stage == "draft":
            continue
        actions.publish_project(user=officer, project=project)
        fundraiser = funding.fundraiser_for(project)
        if stage == "published":
            # Partly pledged: one confirmed pledge, one awaiting the money.
            share = (project.price / 4).quantize(Decimal("0.01"))
            first = funding.pledge(user=donors[0], fundraiser=fundraiser, amount=share)
            funding.confirm_pledge(user=officer, pledge=first)
            funding.pledge(user=donors[1], fundraiser=fundraiser, amount=share,
                           anonymous=True)
            continue
        half = (project.price / 2).quantize(Decimal("0.01"))
        for donor, amount in ((donors[1], half), (donors[2], None)):
            made = funding.pledge(user=donor, fundraiser=fundraiser, amount=amount)
            funding.confirm_pledge(user=officer, pledge=made)
        if stage == "funded":
            continue
        actions.start_project(user=officer, project=project)
        if stage == "overdue":
            # Demo data only: the report was due last week.
            SocialProject.objects.filter(pk=project.pk).update(
                report_due=timezone.localdate() - timedelta(days=7))
        if stage in ("in_progress", "overdue"):
            continue
        spent = {line.pk: line.total + (Decimal("15000") if line.position == 1 else 0)
                 for line in project.estimate_lines.all()}
        actions.submit_report(
            user=officer, project=project, spent=spent,
            note_kk="Жұмыс аяқталды (демо).", note_ru="Работа завершена (демо).",
            note_en="The work is done (demo).",
            photos=[drawn_photo(f"{titles[2]}: done", 100 + number)])
        if stage == "archived":
            actions.archive_project(user=officer, project=project)
    report["created"].append(f"{count} demo social projects with pledges and photos")
