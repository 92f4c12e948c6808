"""Switching the current boundary generation re-tags the area-tagged layers."""

import pytest
from django.core.management import CommandError, call_command

from data.boundaries.importers import GENERATIONS, BoundaryImporter
from layers.areas.generations import activate_generation, area_tagged_models
from layers.areas.models import BoundaryGeneration, Settlement

pytestmark = pytest.mark.django_db

def _tags(kato: str) -> tuple:
    settlement = Settlement.objects.select_related("oblast", "district", "okrug").get(kato=kato)
    return (settlement.oblast.generation.code, settlement.district.kato,
            settlement.okrug.kato if settlement.okrug else None)


def _geocoded_in(district_prefix: str) -> str:
    return (Settlement.objects.filter(kato__startswith=district_prefix, geom__isnull=False)
            .order_by("kato").values_list("kato", flat=True).first())


def test_settlement_layer_is_area_tagged(reference_data):
    assert Settlement in area_tagged_models()


def test_activate_2018_then_back_to_2024(reference_data):
    # A village of Zhanasemey district: Semey city's territory in 2018, East Kazakhstan oblast.
    kato = _geocoded_in("1041")
    assert _tags(kato)[:2] == ("2024", "104100000")

    touched = activate_generation("2018")

    assert BoundaryGeneration.current().code == "2018"
    assert touched["areas.Settlement"] == Settlement.objects.count()
    generation, district, okrug = _tags(kato)
    assert generation == "2018" and district.startswith("63") and okrug is None

    activate_generation("2024")
    assert BoundaryGeneration.current().code == "2024"
    assert _tags(kato)[:2] == ("2024", "104100000")
    assert _tags(kato)[2].startswith("1041")


def test_command(reference_data, capsys):
    call_command("areas_generation_activate", "2018")
    out = capsys.readouterr().out
    assert "boundary generation 2018 is current" in out
    assert "re-tagged areas.Settlement" in out
    assert BoundaryGeneration.objects.filter(is_current=True).count() == 1

    with pytest.raises(CommandError, match="no boundary generation '1999'.*2018, 2024"):
        call_command("areas_generation_activate", "1999")


def test_reimport_does_not_undo_the_switch(reference_data):
    activate_generation("2018")
    report = BoundaryImporter(GENERATIONS["2024"]).run(commit=True)

    assert report.counts["generation"]["unchanged"] == 1
    assert BoundaryGeneration.current().code == "2018"
