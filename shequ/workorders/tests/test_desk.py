"""The front desk, guidance for private matters, the public tracking page,
near-duplicates and merging, the hotline import and push, the catalog
screens, and the flow routes of the API."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Notification
from shequ.core.tests.factories import login
from shequ.workorders.choices import Channel, EntryKind, Kind, State
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.hotline import import_file
from shequ.workorders.models import (
    Category,
    Department,
    GuidanceTemplate,
    ReceptionLog,
    WorkOrder,
)
from shequ.workorders.selectors import visible
from shequ.workorders.services import (
    near_duplicates,
    workorder_merge,
    workorder_triage,
)
from shequ.workorders.tests.factories import dispatched, make_department, make_order

pytestmark = pytest.mark.django_db
API = "/api/v1/workorders"


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


# --------------------------------------------------------------------------
# Front desk
# --------------------------------------------------------------------------


def test_every_visitor_is_logged_and_a_case_gets_its_first_contact_owner(client, city, people):
    worker = people["community_worker"]
    login(client, worker)
    community = city.communities["A1"]
    response = client.post(
        reverse("workorders:reception"),
        {
            "area": community.pk,
            "visitor": "王阿姨",
            "subject": "咨询高龄津贴",
            "outcome": "consulted",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("workorders:reception"),
        {
            "area": community.pk,
            "visitor": "李先生",
            "subject": "楼道堆物",
            "outcome": "case_opened",
            "category": Category.objects.get(code="fire_risk").pk,
            "description": "5楼楼道堆放纸箱。",
        },
    )
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and order.owner == worker
    assert order.channel == Channel.FRONT_DESK
    assert list(ReceptionLog.objects.values_list("outcome", flat=True)) == [
        "case_opened",
        "consulted",
    ]
    page = client.get(reverse("workorders:reception"))
    assert "咨询高龄津贴" in page.content.decode()


def test_the_reception_log_is_scoped(client, city, people):
    login(client, people["community_worker"])
    client.post(
        reverse("workorders:reception"),
        {"area": city.communities["A1"].pk, "subject": "问路", "outcome": "other"},
    )
    client.logout()
    login(client, people["street_staff_b"])
    page = client.get(reverse("workorders:reception"))
    assert "问路" not in page.content.decode()
    bad = client.post(
        reverse("workorders:reception"),
        {"area": city.communities["A1"].pk, "subject": "越权", "outcome": "other"},
    )
    assert bad.status_code == 400 and ReceptionLog.objects.count() == 1


def test_a_resident_has_no_reception_desk(client, people):
    login(client, people["resident"])
    assert client.get(reverse("workorders:reception")).status_code == 403


# --------------------------------------------------------------------------
# Guidance for private matters
# --------------------------------------------------------------------------


def test_a_private_matter_closes_with_an_edited_guidance_template(client, city, people):
    login(client, people["community_worker"])
    template = GuidanceTemplate.objects.get(title="邻里纠纷")
    client.post(
        reverse("workorders:guidance_edit") + f"?pk={template.pk}",
        {"title": "邻里纠纷", "body": "请先友好协商，可申请社区调解。", "is_active": "on"},
    )
    order = workorder_triage(
        order=make_order(city.units["A1a"], people["resident"], code="neighbour"),
        actor=None,
        triage_class="private",
    )
    page = client.get(reverse("workorders:order_detail", args=[order.pk]))
    assert template in list(page.context["guidance"])
    client.post(
        reverse("workorders:order_act", args=[order.pk, "close"]), {"guidance": template.pk}
    )
    order.refresh_from_db()
    assert order.state == State.CLOSED
    assert order.timeline.get(kind=EntryKind.CLOSED).note == "请先友好协商，可申请社区调解。"


def test_guidance_templates_are_for_staff(client, people):
    login(client, people["grid_worker"])
    assert client.get(reverse("workorders:guidance_list")).status_code == 403
    response = client.post(reverse("workorders:guidance_edit"), {"title": "x", "body": "y"})
    assert response.status_code == 403 and not GuidanceTemplate.objects.filter(title="x").exists()


# --------------------------------------------------------------------------
# Public tracking
# --------------------------------------------------------------------------


def test_the_tracking_page_shows_status_and_public_notes_only(client, city, people):
    cache.clear()
    order = dispatched(city.units["A1a"], people["grid_worker"], people["resident"])
    response = client.post(
        reverse("workorders:track"), {"number": order.number, "code": order.tracking_code}
    )
    text = response.content.decode()
    assert response.status_code == 200 and order.get_state_display() in text
    assert people["resident"].display_name not in text
    assert people["grid_worker"].display_name not in text
    wrong = client.post(reverse("workorders:track"), {"number": order.number, "code": "AAAAAAAA"})
    assert wrong.status_code == 404 and order.get_state_display() not in wrong.content.decode()


def test_the_tracking_page_is_rate_limited(client, city):
    cache.clear()
    for _ in range(20):
        client.post(reverse("workorders:track"), {"number": "GD-1", "code": "X"})
    assert (
        client.post(reverse("workorders:track"), {"number": "GD-1", "code": "X"}).status_code == 429
    )
    cache.clear()


# --------------------------------------------------------------------------
# Near-duplicates and merging
# --------------------------------------------------------------------------


def test_near_duplicates_are_shown_and_merged_keeping_both_timelines(
    client, city, people, django_capture_on_commit_callbacks
):
    first = make_order(city.units["A1a"], people["resident"], code="sanitation")
    second = make_order(city.units["A1a"], people["resident"], code="sanitation")
    make_order(city.units["A1a"], people["resident"], code="noise")  # another category
    elsewhere = make_order(city.units["B1a"], None, code="sanitation")
    worker = people["community_worker"]
    assert list(near_duplicates(second, visible(worker))) == [first]
    assert elsewhere not in near_duplicates(second, WorkOrder.objects.all())
    login(client, worker)
    page = client.get(reverse("workorders:order_detail", args=[second.pk]))
    assert page.context["duplicates"] == [first]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workorders:order_merge", args=[second.pk]), {"kept": first.pk})
    second.refresh_from_db()
    assert second.state == State.CLOSED and second.merged_into == first
    assert second.timeline.filter(kind=EntryKind.MERGED).exists()
    assert first.timeline.filter(kind=EntryKind.MERGED).exists()
    assert Notification.objects.filter(user=people["resident"], kind="merged").exists()
    with pytest.raises(IllegalTransition):
        workorder_merge(duplicate=second, kept=first, actor=worker)


def test_merging_needs_the_merge_right_and_another_case(city, people):
    first = make_order(city.units["A1a"], people["resident"])
    second = make_order(city.units["A1a"], people["resident"])
    with pytest.raises(Forbidden):
        workorder_merge(duplicate=second, kept=first, actor=people["grid_worker"])
    with pytest.raises(InvalidInput):
        workorder_merge(duplicate=second, kept=second, actor=people["community_worker"])


# --------------------------------------------------------------------------
# Hotline tickets
# --------------------------------------------------------------------------


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["工单编号", "类别", "区域", "标题", "诉求内容", "地址"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工单编号", "类别", "区域", "标题", "诉求内容", "地址"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_hotline_file_imported_twice_creates_nothing_new(city, people):
    grid = city.grids["A1a"]
    rows = [
        ("12345-001", "noise", grid.pk, "夜间施工", "工地夜间施工扰民。", "中山路1号"),
        ("12345-002", "停车管理", grid.name, "", "消防通道被占。", ""),
        ("12345-003", "nope", grid.pk, "", "未知类别", ""),
        ("12345-004", "noise", city.grids["B1a"].pk, "", "辖区外", ""),
        ("", "noise", grid.pk, "", "没有编号", ""),
    ]
    for content in (_xlsx(rows), _csv(rows)):
        upload = SimpleUploadedFile("hotline.xlsx", content)
        report = import_file(actor=people["street_staff"], upload=upload, size=len(content))
        assert len(report.created) + len(report.skipped) == 2
        assert [r[0] for r in report.rejected] == [4, 5, 6]
    assert WorkOrder.objects.filter(channel=Channel.HOTLINE, kind=Kind.HOTLINE).count() == 2
    assert set(WorkOrder.objects.values_list("external_ref", flat=True)) == {
        "12345-001",
        "12345-002",
    }


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, people):
    login(client, people["street_staff"])
    fake = SimpleUploadedFile("tickets.xlsx", b"MZ\x90\x00\x03\x00\x00\x00" * 10)
    response = client.post(reverse("workorders:hotline_import"), {"file": fake})
    assert response.status_code == 400 and not WorkOrder.objects.exists()


def test_the_import_page_reports_rows(client, city, people):
    login(client, people["street_staff"])
    content = _csv([("T-1", "noise", city.grids["A1a"].pk, "", "扰民", "")])
    upload = SimpleUploadedFile("t.csv", content)
    page = client.post(reverse("workorders:hotline_import"), {"file": upload})
    assert page.status_code == 200 and len(page.context["report"].created) == 1


def test_the_hotline_api_push_is_idempotent_on_the_ticket_number(client, city, people):
    login(client, people["street_staff"])
    body = {
        "ticket_number": "HL-9",
        "category": "noise",
        "area_id": city.grids["A1a"].pk,
        "description": "广场舞音响过大",
    }
    first = post_json(client, f"{API}/hotline/tickets", body)
    again = post_json(client, f"{API}/hotline/tickets", body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and WorkOrder.objects.count() == 1
    client.logout()
    login(client, people["grid_worker"])
    assert (
        post_json(client, f"{API}/hotline/tickets", {**body, "ticket_number": "HL-10"}).status_code
        == 403
    )


# --------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------


def test_district_staff_edit_categories_and_departments(client, city, people):
    login(client, people["district_staff"])
    response = client.post(
        reverse("workorders:category_edit"),
        {
            "code": "graffiti",
            "name": "小广告",
            "kinds": ["incident"],
            "default_triage": "minor",
            "default_handler": "grid",
            "response_hours": 8,
            "resolution_hours": 48,
            "is_active": "on",
            "order": 100,
        },
    )
    assert response.status_code == 302 and Category.objects.filter(code="graffiti").exists()
    response = client.post(
        reverse("workorders:department_edit"),
        {
            "name": "生态环境局",
            "district": city.district.pk,
            "handlers": [people["department_handler"].pk],
            "is_active": "on",
        },
    )
    department = Department.objects.get(name="生态环境局")
    assert response.status_code == 302 and list(department.handlers.all()) == [
        people["department_handler"]
    ]
    bad = client.post(
        reverse("workorders:category_edit"),
        {
            "code": "x",
            "name": "x",
            "default_triage": "minor",
            "default_handler": "grid",
            "response_hours": 50,
            "resolution_hours": 10,
            "order": 1,
        },
    )
    assert bad.status_code == 400 and not Category.objects.filter(code="x").exists()


def test_community_workers_do_not_edit_the_catalog(client, people):
    login(client, people["community_worker"])
    assert client.get(reverse("workorders:catalog")).status_code == 403


def test_the_report_form_lists_a_limited_scoped_area_list(client, city, people):
    login(client, people["street_staff"])
    form = client.get(reverse("workorders:report")).context["form"]
    choices = [value for value, _ in form.fields["area"].widget.choices if value]
    assert city.communities["A1"].pk in choices
    assert city.communities["B1"].pk not in choices
    assert len(choices) <= 300


# --------------------------------------------------------------------------
# The flow routes of the API
# --------------------------------------------------------------------------


def test_whistle_pause_and_inbox_over_the_api(client, city, people):
    department = make_department(city.district, people["department_handler"])
    order = dispatched(city.units["A1a"], people["grid_worker"], people["resident"])
    login(client, people["community_worker"])
    calls = post_json(client, f"{API}/{order.pk}/whistle", {"department_ids": [department.pk]})
    assert calls.status_code == 201 and calls.json()[0]["status"] == "pending"
    paused = post_json(client, f"{API}/{order.pk}/pause", {"reason": "等居民回家"})
    assert paused.status_code == 200
    assert post_json(client, f"{API}/{order.pk}/resume", {}).status_code == 200
    client.logout()
    login(client, people["department_handler"])
    waiting = client.get(f"{API}/queue/waiting")
    assert waiting.status_code == 200 and [o["id"] for o in waiting.json()["items"]] == [order.pk]
    call_id = calls.json()[0]["id"]
    assert post_json(client, f"{API}/whistles/{call_id}/acknowledge", {}).status_code == 200
    done = post_json(client, f"{API}/whistles/{call_id}/report", {"report": "已处置"})
    assert done.status_code == 200 and done.json()["status"] == "reported"
    client.logout()
    login(client, people["grid_worker_b"])
    assert client.get(f"{API}/{order.pk}/whistles").status_code == 404
    assert post_json(client, f"{API}/whistles/{call_id}/report", {"report": "x"}).status_code == 404
