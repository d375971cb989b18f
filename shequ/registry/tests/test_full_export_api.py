"""/api/v1/registry/full-exports: ask, decide (another person), download once
(the requester, within the validity), audited like the web; scoped to the
caller's area."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.core.models import ApprovalRequest, AuditEntry
from shequ.core.roles import Role
from shequ.core.tests.factories import login, make_user
from shequ.registry.full_export import full_export_request
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/full-exports"
PURPOSE = "民政局低保年审核对"


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def ledger(city):
    number = new_id()
    make_resident(
        make_household(city.units["A1a"], room="101"),
        name="张三",
        id_number=number,
        mobile="13800001111",
    )
    make_resident(make_household(city.units["A2a"], room="201"), name="李四")
    return {"id": number}


@pytest.fixture
def checker(city):
    return make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="checker")


@pytest.fixture
def outsider(city):
    return make_user(Role.COMMUNITY_WORKER, city.communities["A2"], username="a2_worker")


def _ask(client, city, **body):
    return _post(
        client,
        API,
        {"area_id": city.communities["A1"].pk, "purpose": PURPOSE, "format": "csv", **body},
    )


def test_ask_approve_download_once_unmasked_and_audited(client, city, people, ledger, checker):
    maker = people["community_worker"]
    login(client, maker)
    asked = _ask(client, city)
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["state"] == "pending" and body["state_label"] == "待审批"
    assert body["area_name"] == "A1社区" and body["purpose"] == PURPOSE
    assert body["mine"] and not body["can_decide"] and not body["can_download"]
    pk = body["id"]
    # Nobody approves their own request.
    own = _post(client, f"{API}/{pk}/decide", {"approve": True})
    assert own.status_code == 403 and own.json()["error"]["message"] == "不能审批自己提交的申请。"
    # Not downloadable before the approval.
    assert client.get(f"{API}/{pk}/download").status_code == 409
    client.logout()

    login(client, checker)
    listed = client.get(API).json()
    assert [(r["id"], r["mine"], r["can_decide"]) for r in listed["items"]] == [(pk, False, True)]
    decided = _post(client, f"{API}/{pk}/decide", {"approve": True})
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "approved" and decided.json()["decided_by"] == "checker"
    assert decided.json()["download_until"] is not None
    # Only the requester downloads.
    refused = client.get(f"{API}/{pk}/download")
    assert refused.status_code == 403 and ledger["id"] not in refused.content.decode()
    client.logout()

    login(client, maker)
    assert client.get(API).json()["items"][0]["can_download"] is True
    response = client.get(f"{API}/{pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "community_worker" in rows[0][0]  # the watermark names the exporter
    assert [r[0] for r in rows[2:]] == ["张三"]  # only community A1
    assert rows[2][4] == ledger["id"] and rows[2][5] == "13800001111"  # unmasked
    entry = AuditEntry.objects.get(event_type="export")
    assert entry.actor == maker and entry.detail["masked"] is False
    assert entry.detail["approval"] == pk and entry.detail["approved_by"] == checker.pk
    assert entry.detail["row_count"] == 1 and ledger["id"] not in str(entry.detail)

    # Once: the second download finds it used, and nothing more is written.
    again = client.get(f"{API}/{pk}/download")
    assert again.status_code == 409 and again.json()["error"]["code"] == "export_not_available"
    assert AuditEntry.objects.filter(event_type="export").count() == 1
    after = client.get(API).json()["items"][0]
    assert after["state"] == "expired" and after["can_download"] is False


def test_xlsx_is_the_default_format(client, city, people, ledger, checker):
    login(client, people["community_worker"])
    asked = _post(client, API, {"area_id": city.communities["A1"].pk, "purpose": PURPOSE})
    assert asked.status_code == 201 and asked.json()["format"] == "xlsx"
    approval = ApprovalRequest.objects.get(pk=asked.json()["id"])
    from shequ.core.services.approvals import approval_decide

    approval_decide(actor=checker, approval=approval, approve=True)
    response = client.get(f"{API}/{approval.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_rejected_request_cannot_be_downloaded(client, city, people, ledger, checker):
    login(client, people["community_worker"])
    pk = _ask(client, city).json()["id"]
    client.logout()
    login(client, checker)
    rejected = _post(client, f"{API}/{pk}/decide", {"approve": False})
    assert rejected.json()["state"] == "rejected"
    # Decided once: a second decision is refused.
    assert _post(client, f"{API}/{pk}/decide", {"approve": True}).status_code == 409
    client.logout()
    login(client, people["community_worker"])
    assert client.get(f"{API}/{pk}/download").status_code == 409
    assert not AuditEntry.objects.filter(event_type="export").exists()


def test_the_download_window_closes(client, city, people, ledger, checker):
    login(client, people["community_worker"])
    pk = _ask(client, city).json()["id"]
    from shequ.core.services.approvals import approval_decide

    approval_decide(actor=checker, approval=ApprovalRequest.objects.get(pk=pk), approve=True)
    ApprovalRequest.objects.filter(pk=pk).update(decided_at=timezone.now() - timedelta(hours=25))
    assert client.get(API).json()["items"][0]["can_download"] is False
    assert client.get(f"{API}/{pk}/download").status_code == 409


def test_a_request_needs_a_purpose_a_known_format_and_an_area_in_scope(client, city, people):
    login(client, people["community_worker"])
    short = _ask(client, city, purpose="核对")
    assert short.status_code == 400 and short.json()["error"]["fields"]
    assert "purpose" in json.dumps(short.json()["error"]["fields"])
    assert _ask(client, city, format="pdf").status_code == 400
    elsewhere = _ask(client, city, area_id=city.communities["B1"].pk)
    assert elsewhere.status_code == 404
    assert _ask(client, city, area_id=city.units["A1a"].pk).status_code == 400  # too small
    assert _ask(client, city).status_code == 201
    # The same request twice while the first waits.
    assert _ask(client, city).status_code == 409
    assert ApprovalRequest.objects.count() == 1


def test_another_community_sees_nothing_and_gets_404(
    client, city, people, ledger, checker, outsider
):
    request = full_export_request(
        actor=people["community_worker"], area=city.communities["A1"], purpose=PURPOSE, fmt="csv"
    )
    login(client, outsider)
    assert client.get(API).json()["count"] == 0
    assert _post(client, f"{API}/{request.pk}/decide", {"approve": True}).status_code == 404
    assert client.get(f"{API}/{request.pk}/download").status_code == 404
    request.refresh_from_db()
    assert request.state == ApprovalRequest.State.PENDING


@pytest.mark.parametrize("who", ["grid_worker", "resident", "volunteer"])
def test_without_the_full_export_right_the_routes_answer_403(client, city, people, who):
    login(client, people[who])
    assert client.get(API).status_code == 403
    assert _ask(client, city).status_code == 403
    assert not ApprovalRequest.objects.exists()


def test_filters_and_a_list_whose_query_count_does_not_grow(
    client, city, people, checker, django_assert_max_num_queries
):
    def ask(n):
        full_export_request(
            actor=people["community_worker"],
            area=city.communities["A1"],
            purpose=f"{PURPOSE}{n}",
            fmt="csv",
        )

    ask(0)
    full_export_request(actor=checker, area=city.grids["A1a"], purpose="网格核对名单", fmt="csv")
    login(client, people["community_worker"])
    mine = client.get(API, {"mine": "true"}).json()["items"]
    assert [r["purpose"] for r in mine] == [f"{PURPOSE}0"]
    others = client.get(API, {"mine": "false"}).json()["items"]
    assert [(r["area_name"], r["can_decide"]) for r in others] == [("A1a网格", True)]
    assert client.get(API, {"state": "approved"}).json()["count"] == 0
    assert client.get(API, {"state": "sideways"}).status_code == 400

    with django_assert_max_num_queries(50) as few:
        client.get(API)
    for n in range(1, 6):
        ask(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API).json()["count"] == 7
