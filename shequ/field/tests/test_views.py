"""The field app on the web: Today, the sync endpoints (the phone's queue),
the review pages, and scoping (grid A1b's worker never sees A1a's work)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shequ.core.tests.factories import login
from shequ.field.models import (
    InstructionAssignment,
    LedgerChangeProposal,
    Visit,
    WorkLogNote,
)
from shequ.field.services import instruction_send
from shequ.field.tests.factories import gps_photo, household_with, visit
from shequ.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def client_for(user) -> Client:
    client = Client()
    login(client, user)
    return client


def _sync(client, household, key, payload, **files):
    return client.post(
        "/field/sync/visit/",
        {
            "household": household.pk,
            "client_id": str(key),
            "payload": json.dumps(payload),
            "client_sent_at": timezone.now().isoformat(),
            **files,
        },
        **JSON,
    )


def test_today_lists_due_visits_of_my_grid_only_and_is_never_cached(city, people):
    mine = household_with(city.units["A1a"], tag="elderly_alone", name="独居王奶奶")
    household_with(city.units["A1b"], tag="elderly_alone", name="别人的李爷爷")
    response = client_for(people["grid_worker"]).get("/field/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "独居王奶奶" in html and "别人的李爷爷" not in html
    assert f"/field/visit/?household={mine.pk}" in html
    assert "no-store" in response["Cache-Control"]
    assert 'rel="manifest"' in html


def test_the_visit_form_lists_my_households_without_personal_numbers(city, people):
    household_with(city.units["A1a"], name="张三")
    response = client_for(people["grid_worker"]).get("/field/visit/")
    html = response.content.decode()
    assert "张三" in html and "四必联" in html
    assert "id_number" not in html and "mobile" not in html.replace("proposal_mobile", "")


def test_sync_creates_once_and_replays_the_first_answer(city, people):
    household = household_with(city.units["A1a"])
    client = client_for(people["grid_worker"])
    key = uuid.uuid4()
    payload = {
        "outcome": "met",
        "needs": [{"description": "需要维修水管", "kind": "service_order", "category": "repairs"}],
    }
    first = _sync(client, household, key, payload, photos=gps_photo())
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["cases"][0]["number"].startswith("GD-")
    again = _sync(client, household, key, payload, photos=gps_photo())
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["id"] == body["id"]
    assert Visit.objects.count() == 1 and WorkOrder.objects.count() == 1
    reused = _sync(client, household, key, {"outcome": "nobody"})
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_sync_errors_keep_the_item_with_a_clear_message(city, people):
    from shequ.registry.services_events import household_remove
    from shequ.registry.tests.factories import make_household

    client = client_for(people["grid_worker"])
    other = household_with(city.units["A1b"])
    refused = _sync(client, other, uuid.uuid4(), {"notes": "越界"})
    assert refused.status_code == 404
    assert "不在您负责的网格" in refused.json()["error"]["message"]

    gone = make_household(city.units["A1a"])
    household_remove(actor=None, household=gone, reason="拆迁")
    removed = _sync(client, gone, uuid.uuid4(), {"notes": "离线记录"})
    assert removed.status_code == 409
    assert removed.json()["error"]["code"] == "household_removed"

    bad = client.post(
        "/field/sync/visit/",
        {"household": other.pk, "client_id": str(uuid.uuid4()), "payload": "{not json"},
        **JSON,
    )
    assert bad.status_code == 400 and set(bad.json()) == {"error"}
    assert not Visit.objects.exists()


def test_the_plain_form_without_script_still_records_a_visit(city, people):
    household = household_with(city.units["A1a"])
    response = client_for(people["grid_worker"]).post(
        "/field/sync/visit/",
        {
            "household": household.pk,
            "client_id": str(uuid.uuid4()),
            "outcome": "met",
            "must_contact": ["home_visit"],
            "need": "楼道灯坏了",
            "need_kind": "incident",
        },
    )
    visit_row = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/field/visits/{visit_row.pk}/"
    assert visit_row.must_contact == ["home_visit"]
    assert WorkOrder.objects.get().kind == "incident"


def test_a_need_is_turned_into_a_service_order_in_one_tap(city, people):
    household = household_with(city.units["A1a"])
    row = visit(people["grid_worker"], household, payload={"needs": [{"description": "助浴"}]})
    need = row.needs.get()
    client = client_for(people["grid_worker"])
    url = f"/field/needs/{need.pk}/convert/"
    assert (
        client_for(people["grid_worker_b"]).post(url, {"kind": "service_order"}).status_code == 404
    )
    client.post(url, {"kind": "service_order"})
    client.post(url, {"kind": "service_order"})
    assert WorkOrder.objects.get().kind == "service_order"
    page = client.get(f"/field/visits/{row.pk}/").content.decode()
    assert WorkOrder.objects.get().number in page


def test_grid_b_sees_none_of_grid_a(city, people):
    household = household_with(city.units["A1a"], name="秘密住户")
    row = visit(
        people["grid_worker"],
        household,
        payload={
            "notes": "A网格记录",
            "proposals": [{"kind": "new_member", "name": "新人", "gender": "male"}],
        },
        photos=[gps_photo()],
    )
    outsider = client_for(people["grid_worker_b"])
    assert outsider.get(f"/field/visits/{row.pk}/").status_code == 404
    assert outsider.get(f"/field/photos/{row.photos.get().pk}/").status_code == 404
    assert "秘密住户" not in outsider.get("/field/visits/").content.decode()
    assert "新人" not in outsider.get("/field/proposals/").content.decode()
    assert outsider.get(f"/field/coverage/?area={city.grids['A1a'].pk}").status_code == 404
    assert "A1a" not in outsider.get("/field/coverage/").content.decode()
    worker = people["grid_worker"].pk
    assert outsider.get(f"/field/worklog/?worker={worker}").status_code == 404
    inside = client_for(people["grid_worker"])
    assert inside.get(f"/field/visits/{row.pk}/").status_code == 200
    assert inside.get(f"/field/photos/{row.photos.get().pk}/").status_code == 200


def test_community_worker_approves_a_proposal_and_sees_coverage(city, people):
    household = household_with(city.units["A1a"])
    visit(
        people["grid_worker"],
        household,
        payload={"proposals": [{"kind": "new_member", "name": "王小宝", "gender": "male"}]},
    )
    proposal = LedgerChangeProposal.objects.get()
    client = client_for(people["community_worker"])
    assert "王小宝" in client.get("/field/proposals/").content.decode()
    assert (
        client_for(people["grid_worker"])
        .post(f"/field/proposals/{proposal.pk}/decide/", {"decision": "approve"})
        .status_code
        == 403
    )
    client.post(f"/field/proposals/{proposal.pk}/decide/", {"decision": "approve"})
    proposal.refresh_from_db()
    assert proposal.state == "approved"
    page = client.get(f"/field/coverage/?area={city.communities['A1'].pk}").content.decode()
    assert "100%" in page and "A1a网格" in page


def test_instructions_are_sent_acknowledged_completed_and_rolled_up(city, people):
    client = client_for(people["community_worker"])
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/field/instructions/",
        {
            "area": city.communities["A1"].pk,
            "title": "排查电动车入户充电",
            "checklist": "楼道\n地下室",
            "deadline": deadline,
        },
    )
    assert response.status_code == 302
    assert InstructionAssignment.objects.count() == 2  # A1a's and A1b's grid workers
    worker = client_for(people["grid_worker"])
    assert "排查电动车入户充电" in worker.get("/field/").content.decode()
    mine = InstructionAssignment.objects.get(recipient=people["grid_worker"])
    sent = {"assignment": mine.pk, "client_id": str(uuid.uuid4())}
    assert (
        worker.post("/field/sync/reply/", {**sent, "action": "acknowledge"}, **JSON).json()["state"]
        == "acknowledged"
    )
    done = {**sent, "action": "complete", "report": "已排查12户", "checked": ["楼道"]}
    assert worker.post("/field/sync/reply/", done, **JSON).json()["state"] == "done"
    assert worker.post("/field/sync/reply/", done, **JSON).status_code == 200  # a retry
    other = client_for(people["grid_worker_b"])
    assert other.post("/field/sync/reply/", done, **JSON).status_code == 404
    rollup = client.get("/field/instructions/").content.decode()
    assert "已完成 1" in rollup


def test_an_overdue_instruction_is_flagged(city, people):
    import time_machine

    instruction_send(
        actor=people["community_worker"],
        area=city.grids["A1a"],
        title="上报独居老人名单",
        deadline=timezone.now() + timedelta(hours=1),
    )
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        page = client_for(people["grid_worker"]).get("/field/").content.decode()
        assert "已逾期" in page
        rollup = client_for(people["community_worker"]).get("/field/instructions/").content.decode()
        assert "逾期 1 人" in rollup


def test_a_bad_instruction_is_refused_with_a_message(city, people):
    client = client_for(people["community_worker"])
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/field/instructions/", {"area": city.communities["A1"].pk, "title": "x", "deadline": past}
    )
    assert response.status_code == 400 and "完成时限须晚于现在" in response.content.decode()
    outside = client.post(
        "/field/instructions/",
        {"area": city.communities["A2"].pk, "title": "x", "deadline": past},
    )
    assert outside.status_code == 404


def test_work_log_fills_itself_and_takes_notes_and_comments(city, people):
    household = household_with(city.units["A1a"])
    visit(people["grid_worker"], household)
    worker = client_for(people["grid_worker"])
    key = str(uuid.uuid4())
    note = {"text": "协助社区发放宣传单", "client_id": key}
    assert worker.post("/field/sync/note/", note, **JSON).status_code == 201
    assert worker.post("/field/sync/note/", note, **JSON).status_code == 200
    assert WorkLogNote.objects.count() == 1
    from shequ.field.services import report_record

    report = report_record(
        actor=people["grid_worker"],
        client_id=uuid.uuid4(),
        payload={"area": city.units["A1a"].pk, "description": "路面塌陷"},
    )
    page = worker.get("/field/worklog/").content.decode()
    assert "协助社区发放宣传单" in page and household.room in page
    assert report.report.workorder.number in page
    supervisor = client_for(people["community_worker"])
    day = timezone.localdate().isoformat()
    supervisor.post(
        "/field/worklog/comment/",
        {"worker": people["grid_worker"].pk, "day": day, "comment": "走访细致"},
    )
    assert "走访细致" in worker.get("/field/worklog/").content.decode()


def test_manifest_and_service_worker_are_served_for_the_field_scope(client):
    manifest = client.get("/field/manifest.webmanifest")
    data = json.loads(manifest.content)
    assert data["start_url"] == "/field/" and data["lang"] == "zh-CN"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    sw = client.get("/field/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert "/field/visit/" in sw.content.decode()


def test_first_load_of_today_stays_under_200_kb_compressed(city, people):
    import gzip
    from pathlib import Path

    for _ in range(30):
        household_with(city.units["A1a"])
    client = client_for(people["grid_worker"])
    total = 0
    for url in ("/field/", "/field/visit/"):
        total = len(gzip.compress(client.get(url).content))
        static = Path(__file__).resolve().parents[1] / "static" / "field"
        for name in ("app.js", "field.css"):
            total += len(gzip.compress((static / name).read_bytes()))
        assert total < 200 * 1024


def test_the_map_draws_my_buildings_with_due_visits_and_reports(city, people):
    from shequ.field.services import report_record

    household_with(city.units["A1a"], tag="elderly_alone")
    report_record(
        actor=people["grid_worker"],
        client_id=uuid.uuid4(),
        payload={"area": city.units["A1a"].pk, "description": "井盖缺失"},
    )
    html = client_for(people["grid_worker"]).get("/field/map/").content.decode()
    assert "<svg" in html and "A1a-1号楼" in html and "应访 1 户" in html
    assert "井盖缺失" in html and "A1b-1号楼" not in html


def _served_exif(response):
    import io

    from PIL import Image

    data = b"".join(response.streaming_content) if response.streaming else response.content
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def _via_sync_visit(client, city, people):
    household = household_with(city.units["A1a"])
    response = _sync(client, household, uuid.uuid4(), {"outcome": "met"}, photos=gps_photo())
    assert response.status_code == 201
    return client.get(f"/field/photos/{Visit.objects.get().photos.get().pk}/")


def _via_sync_report(client, city, people):
    response = client.post(
        "/field/sync/report/",
        {
            "client_id": str(uuid.uuid4()),
            "area": city.units["A1a"].pk,
            "description": "路灯不亮",
            "files": gps_photo(),
        },
        **JSON,
    )
    assert response.status_code == 201
    attachment = WorkOrder.objects.get().attachments.get()
    return client.get(f"/workorders/attachments/{attachment.pk}/")


# Every way a photo reaches the server through the field app (SECURITY.md row 38).
FIELD_INGESTION_PATHS = {"sync_visit": _via_sync_visit, "sync_report": _via_sync_report}


@pytest.mark.parametrize("path", list(FIELD_INGESTION_PATHS))
def test_every_field_upload_path_serves_photos_without_gps_or_phone_model(city, people, path):
    client = client_for(people["grid_worker"])
    served = FIELD_INGESTION_PATHS[path](client, city, people)
    assert served.status_code == 200
    exif = _served_exif(served)
    assert not exif.get_ifd(0x8825) and 0x010F not in exif and 0x0110 not in exif


def test_home_panels_point_grid_and_community_workers_to_their_work(city, people):
    household_with(city.units["A1a"], tag="elderly_alone")
    grid_home = client_for(people["grid_worker"]).get("/").content.decode()
    assert "打开掌上工作" in grid_home and "今天需要走访的住户" not in grid_home
    visit_row = visit(
        people["grid_worker"],
        household_with(city.units["A1a"]),
        payload={"proposals": [{"kind": "new_member", "name": "新成员", "gender": "female"}]},
    )
    assert visit_row.proposals.count() == 1
    community_home = client_for(people["community_worker"]).get("/").content.decode()
    assert "待审核的台账变更" in community_home and "本月走访覆盖" in community_home


@pytest.mark.parametrize("url", ["/field/visits/", "/field/", "/field/proposals/"])
def test_lists_do_not_grow_queries_with_rows(city, people, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n):
        for _ in range(n):
            household = household_with(city.units["A1a"])
            visit(
                people["grid_worker"],
                household,
                payload={"proposals": [{"kind": "new_member", "name": "甲", "gender": "male"}]},
            )
        user = people["community_worker"] if "proposals" in url else people["grid_worker"]
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count(2)
    many = count(8)
    assert many <= few + 2, (few, many)


def test_an_instruction_can_go_to_chosen_grid_workers_only(city, people):
    instruction = instruction_send(
        actor=people["community_worker"],
        area=city.communities["A1"],
        title="核对出租房屋",
        deadline=timezone.now() + timedelta(days=1),
        recipients=[people["grid_worker_b"].pk],
    )
    assert [a.recipient for a in instruction.assignments.all()] == [people["grid_worker_b"]]
    from shequ.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        instruction_send(
            actor=people["community_worker"],
            area=city.grids["A1a"],
            title="越界",
            deadline=timezone.now() + timedelta(days=1),
            recipients=[people["grid_worker_b"].pk],
        )


def test_an_instruction_can_go_to_a_building_team_member_of_the_area(city, people):
    from shequ.core.errors import InvalidInput
    from shequ.core.roles import Role
    from shequ.core.tests.factories import make_user

    steward = make_user(Role.BUILDING_TEAM, city.grids["A1a"], username="louzhang_a1a")
    instruction = instruction_send(
        actor=people["community_worker"],
        area=city.communities["A1"],
        title="通知本楼居民参加议事会",
        deadline=timezone.now() + timedelta(days=2),
        recipients=[steward.pk],
    )
    assert [a.recipient for a in instruction.assignments.all()] == [steward]
    # Sent to a whole area, an instruction still goes to its grid workers only.
    to_area = instruction_send(
        actor=people["community_worker"],
        area=city.grids["A1a"],
        title="核对出租房屋",
        deadline=timezone.now() + timedelta(days=1),
    )
    assert steward not in [a.recipient for a in to_area.assignments.all()]
    outside = make_user(Role.BUILDING_TEAM, city.grids["A2a"], username="louzhang_a2a")
    with pytest.raises(InvalidInput):
        instruction_send(
            actor=people["community_worker"],
            area=city.communities["A1"],
            title="越界",
            deadline=timezone.now() + timedelta(days=1),
            recipients=[outside.pk],
        )
