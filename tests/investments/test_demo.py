"""The demo loader: projects at every status in several oblasts, sample (never official)
employment indicators, investors' interest with natives; idempotent."""

import pytest

from layers.investments import actions
from layers.investments.demo import DEMO_SOURCE, load_demo_investments
from layers.investments.models import InvestmentProject, InvestorInterest, SettlementEmployment

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_status_sample_figures_and_natives(client):
    report = {"created": [], "unchanged": []}
    load_demo_investments(report)
    demo = InvestmentProject.objects.filter(reference__startswith="demo-")
    assert set(demo.values_list("status", flat=True)) == set(InvestmentProject.Status.values)
    assert demo.values("oblast").distinct().count() >= 5
    indicators = SettlementEmployment.objects.filter(source=DEMO_SOURCE)
    assert indicators.count() > 100
    assert not indicators.filter(is_sample=False).exists()
    assert not demo.filter(employment_is_sample=False).exists()
    interest = InvestorInterest.objects.filter(project__in=demo).select_related("project")
    assert interest.exists()
    project = demo.filter(interests__investor__username="demo-investor-1").order_by("pk")[0]
    officer = type(interest.first().investor).objects.get(username="demo-invest-akimat")
    ranks = [i.native_rank for i in actions.interested_investors(user=officer,
                                                                 project=project)]
    assert ranks == [0, 1, 2, 2]
    page = client.get(project.get_absolute_url()).content.decode()
    assert "sample values, not official statistics" in page
    again = {"created": [], "unchanged": []}
    load_demo_investments(again)
    assert again["unchanged"] and demo.count() == InvestmentProject.objects.filter(
        reference__startswith="demo-").count()
