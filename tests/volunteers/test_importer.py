"""NGO lists of volunteers: kk/ru headers, a dry run by default, a row-by-row report, nothing
written if one row is wrong, the blind index against duplicates, the management command."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from layers.volunteers.importer import import_file, template_bytes
from layers.volunteers.models import Volunteer, VolunteerCard

from .conftest import OKRUG_A

pytestmark = pytest.mark.django_db
HEADER = ["Толық аты-жөні / ФИО", "Туған жылы / Год рождения", "Пол", "Телефон",
          "Код КАТО населённого пункта", "Направления", "Дни (1–7)", "Часы (напр. 9-13)",
          "Языки", "Есть автомобиль"]


def table(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def row(n, settlement, **change):
    values = [f"Imported Volunteer {n}", "1996", "жен", f"+7 702 000 00 {n:02d}",
              settlement.kato, "Обучение; consulting", "1; 2", "9-12", "kk; ru", "да"]
    for index, value in change.items():
        values[int(index[1:])] = value
    return values


def test_template_reads_back():
    data, _mime = template_bytes("csv")
    assert "Толық аты-жөні / ФИО" in data.decode("utf-8-sig")


def test_dry_run_then_commit_then_no_duplicates(oblast_officer, places):
    rows = [row(n, places["a1"]) for n in range(1, 6)]
    dry = import_file(user=oblast_officer, data=table(rows), filename="list.csv", commit=False)
    assert dry.ok and dry.counts() == {"rows": 5, "new": 5, "update": 0, "error": 0}
    assert not Volunteer.objects.filter(entered_by=oblast_officer).exists()
    done = import_file(user=oblast_officer, data=table(rows), filename="list.csv", commit=True)
    assert done.committed
    imported = Volunteer.objects.filter(entered_by=oblast_officer)
    assert imported.count() == 5
    first = imported.order_by("pk").first()
    assert first.directions == ["consulting", "teaching"] and first.has_car
    assert first.slots == [9, 10, 11, 33, 34, 35] and first.gender == "f"
    assert VolunteerCard.objects.filter(place_kato=OKRUG_A).count() == 5
    again = import_file(user=oblast_officer, data=table(rows), filename="list.csv",
                        commit=True)
    assert again.counts()["update"] == 5 and imported.count() == 5


def test_one_bad_row_writes_nothing_and_is_reported_without_personal_data(oblast_officer,
                                                                        far_officer, places):
    rows = [row(1, places["a1"]), row(2, places["a1"], c1="19x6"),
            row(3, places["a1"], c5="Magic"), row(1, places["a1"])]
    report = import_file(user=oblast_officer, data=table(rows), filename="list.csv",
                         commit=True)
    assert not report.committed
    assert [(r.line, r.errors[0][0]) for r in report.errors] == [
        (3, "birth_year"), (4, "directions"), (5, "full_name")]
    assert "Imported Volunteer" not in "\n".join(report.lines())
    assert not Volunteer.objects.filter(entered_by=oblast_officer).exists()
    foreign = import_file(user=far_officer, data=table([row(1, places["a1"])]),
                          filename="list.csv", commit=False)
    assert foreign.errors[0].errors[0][0] == "settlement"


def test_command_is_a_dry_run_unless_commit(tmp_path, oblast_officer, places):
    path = tmp_path / "list.csv"
    path.write_bytes(table([row(n, places["a2"]) for n in range(1, 3)]))
    out = io.StringIO()
    call_command("import_volunteers", str(path), "--user", oblast_officer.username, stdout=out)
    assert "dry run" in out.getvalue()
    assert not Volunteer.objects.filter(entered_by=oblast_officer).exists()
    call_command("import_volunteers", str(path), "--user", oblast_officer.username, "--commit",
                 stdout=out)
    assert Volunteer.objects.filter(entered_by=oblast_officer).count() == 2
    path.write_bytes(table([row(9, places["a2"], c2="x")]))
    with pytest.raises(CommandError):
        call_command("import_volunteers", str(path), "--user", oblast_officer.username,
                     "--commit", stdout=out)
