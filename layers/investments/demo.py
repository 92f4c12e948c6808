"""Demo investment projects for `make run` (settings.TZ_DEMO_LOADERS): projects at every
status in several oblasts, SAMPLE employment indicators (flagged is_sample, labelled "sample
values, not official statistics" wherever shown; never official figures) and investors'
interest, some of them natives of the project's district or oblast.

Demo accounts (password DEMO_PASSWORD): demo-invest-akimat (akimat officer of the demo
oblasts: sees the interested investors) and demo-investor-1..4 (investors; 1 and 2 come from
a project's district and oblast)."""

import hashlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from gis_portal.accounts.models import StaffRole
from layers.areas.models import AdminArea, Settlement
from layers.core.tagging import tag_rows

from .actions import refresh_project_employment
from .models import InvestmentProject, InvestorInterest, Position, Sector, SettlementEmployment

Status = InvestmentProject.Status
DEMO_OBLASTS = ("190000000", "310000000", "430000000", "590000000", "610000000", "630000000")
DEMO_SOURCE = "Demo data: sample values, not official statistics"
DEMO_YEAR = 2024
DEMO_PASSWORD = "tugan-zher-demo"
REFERENCE_PREFIX = "demo-"
SETTLEMENTS_PER_OBLAST = 30
PROJECTS_PER_OBLAST = 6

IDEAS = [
    ("Сүт өңдейтін цех", "Цех переработки молока", "Milk processing workshop",
     Sector.FOOD_PROCESSING),
    ("Жылыжай кешені", "Тепличный комплекс", "Greenhouse complex", Sector.AGRICULTURE),
    ("Қонақ үй мен этноауыл", "Гостевой дом и этноаул", "Guest house and ethno-village",
     Sector.TOURISM),
    ("Кірпіш зауыты", "Кирпичный завод", "Brick works", Sector.CONSTRUCTION_MATERIALS),
    ("Киіз басу шеберханасы", "Войлочная мастерская", "Felt workshop", Sector.CRAFTS),
    ("Күн электр станциясы", "Солнечная электростанция", "Solar power plant", Sector.ENERGY),
    ("Жем-шөп дайындау", "Производство кормов", "Fodder production", Sector.AGRICULTURE),
    ("Логистикалық қойма", "Логистический склад", "Logistics warehouse", Sector.LOGISTICS),
    ("Тігін цехы", "Швейный цех", "Sewing workshop", Sector.MANUFACTURING),
    ("Сауда-қызмет орталығы", "Торгово-сервисный центр", "Trade and service centre",
     Sector.TRADE_SERVICES),
]
POSITIONS = [Position.HEAD_OF_DEPARTMENT, Position.AKIM_OF_TOWN,
             Position.DEPUTY_AKIM_OF_DISTRICT, Position.AKIM_OF_DISTRICT]


def _number(text: str, low: int, high: int) -> int:
    """A stable pseudo-random number from a text (the same demo on every machine)."""
    digest = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return low + digest % (high - low + 1)


def _rural_settlements(oblast_kato: str, count: int) -> list[Settlement]:
    return list(Settlement.objects.filter(kato__startswith=oblast_kato[:2], geom__isnull=False)
                .exclude(kato__endswith="0000").order_by("kato")[::7][:count])


def _sample_employment(settlement: Settlement) -> bool:
    population = _number(f"pop{settlement.kato}", 300, 4000)
    rate = Decimal(_number(f"rate{settlement.kato}", 30, 280)) / 10  # 3.0 … 28.0 %
    unemployed = int(population * 0.7 * float(rate) / 100)
    employed = int(population * 0.7) - unemployed
    _row, created = SettlementEmployment.objects.get_or_create(
        settlement=settlement, year=DEMO_YEAR,
        defaults={"working_age_population": population, "employed": employed,
                  "unemployed": unemployed, "unemployment_rate": rate, "source": DEMO_SOURCE,
                  "is_sample": True})
    return created


def _user(username: str, home_area=None):
    users = get_user_model().objects
    user = users.filter(username=username).first()
    if user is None:
        user = users.create_user(username, f"{username}@example.kz", DEMO_PASSWORD,
                                 home_area=home_area, first_name=username.replace("-", " ")
                                 .title())
    return user


@transaction.atomic
def load_demo_investments(report: dict) -> None:
    if InvestmentProject.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        report["unchanged"].append("investment projects (demo)")
        return
    oblasts = list(AdminArea.objects.filter(generation__is_current=True, level="oblast",
                                            kato__in=DEMO_OBLASTS).order_by("kato"))
    statuses = Status.values
    indicators = 0
    projects = []
    n = 0
    for oblast in oblasts:
        settlements = _rural_settlements(oblast.kato, SETTLEMENTS_PER_OBLAST)
        for settlement in settlements:
            indicators += _sample_employment(settlement)
        # Projects in every other settlement of the first ones: the rest stay gaps.
        for index, settlement in enumerate(settlements[:PROJECTS_PER_OBLAST * 2:2]):
            kk, ru, en, sector = IDEAS[(n + index) % len(IDEAS)]
            projects.append(InvestmentProject(
                title_kk=f"{kk} ({settlement.name_kk})", title_ru=f"{ru} ({settlement.name_ru})",
                title_en=f"{en} ({settlement.name_en or settlement.name_ru})",
                description_kk="Демонстрациялық жоба: ауылда жаңа жұмыс орындары.",
                description_ru="Демонстрационный проект: новые рабочие места в селе.",
                description_en="A demonstration project: new jobs in the village.",
                sector=sector,
                investment_needed=Decimal(_number(f"inv{settlement.kato}", 20, 900)) * 1_000_000,
                jobs_created=_number(f"jobs{settlement.kato}", 5, 120),
                status=statuses[n % len(statuses)], settlement=settlement,
                settlement_kato=settlement.kato, geom=settlement.geom,
                responsible_name=f"Demo Official {n + 1:02d}",
                responsible_position=POSITIONS[n % len(POSITIONS)],
                reference=f"{REFERENCE_PREFIX}{n + 1:03d}", reference_area=oblast))
            n += 1
    InvestmentProject.objects.bulk_create(projects)
    tag_rows(InvestmentProject, pks=[p.pk for p in projects])
    refresh_project_employment(settlement_ids=[p.settlement_id for p in projects])

    officer = _user("demo-invest-akimat")
    role, _ = StaffRole.objects.get_or_create(user=officer, kind=StaffRole.Kind.AKIMAT_OFFICER,
                                              defaults={"organisation": "Demo akimat"})
    role.areas.add(*oblasts)
    open_projects = [p for p in InvestmentProject.objects.filter(
        pk__in=[p.pk for p in projects], status__in=InvestmentProject.OPEN_FOR_INTEREST)
        .select_related("district", "oblast").order_by("pk")]
    target = open_projects[0]
    other_district = (AdminArea.objects.filter(parent=target.oblast, level="district")
                      .exclude(pk=target.district_id).first())
    investors = [_user("demo-investor-1", target.district),
                 _user("demo-investor-2", other_district),
                 _user("demo-investor-3", None),
                 _user("demo-investor-4", oblasts[-1])]
    interests = 0
    for index, project in enumerate(open_projects[:6]):
        for investor in investors[index % 2:]:
            _interest, created = InvestorInterest.objects.get_or_create(
                project=project, investor=investor,
                defaults={"message": f"{investor.get_full_name()}: ready to discuss "
                                     f"{_number(investor.username + str(project.pk), 5, 60)} "
                                     f"million tenge (demo)."})
            interests += created
    report["created"].append(
        f"investment projects: {len(projects)} (every status), {indicators} sample employment "
        f"indicators, {interests} investors' interests; users demo-invest-akimat, "
        f"demo-investor-1..4 (password {DEMO_PASSWORD})")
