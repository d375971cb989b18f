"""The statistics page, its export and its API: figures a user would check,
scoping (a street sees its street only), drill-down and bad input."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login
from shequ.workorders.choices import TriageClass
from shequ.workorders.services import workorder_rate, workorder_triage
from shequ.workorders.tests.factories import closed, make_order


@pytest.fixture
def cases(city, people):
    """Three cases in street A (two in A1, one closed and rated 5), one in street B."""
    order = closed(city.units["A1a"], people["grid_worker"], people["resident"])
    workorder_rate(order=order, actor=people["resident"], rating=5)
    workorder_triage(
        order=make_order(city.units["A1b"], code="noise"),
        actor=None,
        triage_class=TriageClass.MAJOR,
    )
    make_order(city.units["A2a"], code="parking")
    make_order(city.units["B1a"], code="noise", title="B街道的案件")


def _api(client, **params):
    return client.get("/api/v1/dashboard/stats", params)


@pytest.mark.django_db
def test_street_staff_see_their_street_and_drill_to_communities(client, city, people, cases):
    login(client, people["street_staff"])
    response = client.get(reverse("dashboard:stats"))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.area == city.streets["A"]
    assert stats.totals.received == 3 and stats.totals.closed == 1
    assert stats.totals.satisfaction == 5.0 and stats.totals.on_time_rate == 100.0
    assert [(s.label, s.figures.received) for s in stats.by_area] == [("A1社区", 2), ("A2社区", 1)]
    assert "A1社区" in response.content.decode()
    drilled = client.get(reverse("dashboard:stats"), {"area": city.communities["A1"].pk})
    assert drilled.context["stats"].totals.received == 2
    assert [a.name for a in drilled.context["stats"].breadcrumbs] == ["A街道", "A1社区"]


@pytest.mark.django_db
def test_another_streets_area_is_not_found(client, city, people, cases):
    login(client, people["street_staff_b"])
    assert client.get(reverse("dashboard:stats")).context["stats"].totals.received == 1
    response = client.get(reverse("dashboard:stats"), {"area": city.streets["A"].pk})
    assert response.status_code == 404
    assert _api(client, area=city.communities["A1"].pk).status_code == 404


@pytest.mark.django_db
def test_district_sees_both_streets_and_a_ranking(client, city, people, cases):
    login(client, people["district_staff"])
    body = _api(client).json()
    assert body["totals"]["received"] == 4
    assert [a["label"] for a in body["by_area"]] == ["A街道", "B街道"]
    assert {c["label"] for c in body["ranking"]} == {"A1社区", "A2社区", "B1社区"}
    assert body["ranking"][0]["label"] == "A1社区"  # the only one with an on-time closure
    kinds = {k["key"]: k["figures"]["received"] for k in body["by_kind"]}
    assert kinds == {"incident": 4}
    triage = {t["key"]: t["figures"]["received"] for t in body["by_triage"]}
    assert triage == {"major": 1, "minor": 1, "none": 2}


@pytest.mark.django_db
def test_date_range_filters_by_the_day_received(client, city, people, cases):
    login(client, people["district_staff"])
    assert _api(client, start="2000-01-01", end="2000-12-31").json()["totals"]["received"] == 0
    response = client.get(reverse("dashboard:stats"), {"start": "2000-01-01", "end": "2000-12-31"})
    assert "所选范围内还没有工单" in response.content.decode()


@pytest.mark.django_db
def test_bad_dates_answer_a_clear_message_not_an_error(client, people, cases):
    login(client, people["district_staff"])
    response = client.get(reverse("dashboard:stats"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert client.get(reverse("dashboard:stats"), {"start": "昨天"}).status_code == 400
    api = _api(client, start="2026-05-01", end="2026-04-01")
    assert api.status_code == 400
    assert "开始日期不能晚于结束日期" in api.json()["error"]["message"]
    assert _api(client, start="昨天").status_code == 400
    assert client.get(reverse("dashboard:stats"), {"area": "abc"}).status_code == 400


@pytest.mark.django_db
def test_residents_and_grid_workers_have_no_statistics(client, people):
    for who in ("resident", "volunteer", "grid_worker"):
        login(client, people[who])
        assert client.get(reverse("dashboard:stats")).status_code == 403
        assert _api(client).status_code == 403


@pytest.mark.django_db
def test_export_is_an_xlsx_of_the_page_and_is_audited(client, city, people, cases):
    login(client, people["street_staff"])
    response = client.get(reverse("dashboard:export"))
    assert response.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(r[:3] == ["合计", "A街道", 3] for r in rows)
    assert any(r[:3] == ["区域", "A2社区", 1] for r in rows)
    assert not any("B" in str(r[1]) for r in rows if r[0] == "区域")
    entry = AuditEntry.objects.filter(event_type="export", actor=people["street_staff"]).get()
    assert entry.detail["area"] == city.streets["A"].path


@pytest.mark.django_db
def test_home_panel_and_menu_for_staff(client, people, cases):
    login(client, people["community_worker"])
    page = client.get("/").content.decode()
    assert "本月工单统计" in page and reverse("dashboard:stats") in page


@pytest.mark.django_db
def test_a_sibling_whose_code_starts_the_same_is_not_counted(client, city, people, cases):
    from shequ.core.choices import Level
    from shequ.core.services.areas import area_create

    sibling = area_create(
        actor=None, parent=city.streets["A"], level=Level.COMMUNITY, code="011", name="A11社区"
    )
    make_order(sibling, code="noise")
    login(client, people["street_staff"])
    body = _api(client, area=city.communities["A1"].pk).json()
    assert body["totals"]["received"] == 2
    assert _api(client).json()["totals"]["received"] == 4


def test_split_range_reads_whole_months_from_the_month_rows():
    from datetime import date

    from shequ.dashboard.selectors import split_range

    assert split_range(None, None) == ((None, None), [])
    assert split_range(date(2026, 1, 20), date(2026, 3, 25)) == (
        (date(2026, 2, 1), date(2026, 2, 28)),
        [(date(2026, 1, 20), date(2026, 1, 31)), (date(2026, 3, 1), date(2026, 3, 25))],
    )
    assert split_range(date(2026, 2, 1), date(2026, 2, 28)) == (
        (date(2026, 2, 1), date(2026, 2, 28)),
        [],
    )
    assert split_range(date(2026, 2, 3), date(2026, 2, 9)) == (
        None,
        [(date(2026, 2, 3), date(2026, 2, 9))],
    )
    assert split_range(None, date(2026, 2, 9)) == (
        (None, date(2026, 1, 31)),
        [(date(2026, 2, 1), date(2026, 2, 9))],
    )


@pytest.mark.django_db
def test_ranges_across_months_count_each_case_once(client, city, people):
    from datetime import datetime

    import time_machine
    from django.utils import timezone

    for when in ("2026-01-15", "2026-02-10", "2026-02-27", "2026-03-20"):
        moment = timezone.make_aware(datetime.fromisoformat(when + " 10:00"))
        with time_machine.travel(moment, tick=False):
            make_order(city.units["A1a"], code="noise")
    login(client, people["district_staff"])
    received = {
        (start, end): _api(client, start=start, end=end).json()["totals"]["received"]
        for start, end in [
            ("2026-01-20", "2026-03-25"),
            ("2026-02-01", "2026-02-28"),
            ("2026-02-11", "2026-02-27"),
            ("2026-01-01", "2026-12-31"),
        ]
    }
    assert list(received.values()) == [3, 2, 1, 4]


@pytest.mark.django_db
def test_cases_raised_to_the_street_are_counted_where_they_are(client, city, people, cases):
    """Escalation flags a case without moving a counter: the page counts the
    open escalated cases live, per area, and a street sees only its own."""
    from shequ.workorders.models import WorkOrder

    WorkOrder.objects.filter(area_path__startswith=city.communities["A1"].path).update(
        escalation_level=1
    )  # the closed one in A1 does not count
    WorkOrder.objects.filter(area_path__startswith=city.streets["B"].path).update(
        escalation_level=2
    )
    login(client, people["street_staff"])
    stats = client.get(reverse("dashboard:stats")).context["stats"]
    assert stats.totals.escalated == 1
    assert [(s.label, s.figures.escalated) for s in stats.by_area] == [("A1社区", 1), ("A2社区", 0)]
    assert "已升级至街道/区" in client.get(reverse("dashboard:stats")).content.decode()
    assert _api(client).json()["totals"]["escalated"] == 1
    login(client, people["street_staff_b"])
    assert _api(client).json()["totals"]["escalated"] == 1
