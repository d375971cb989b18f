"""The full (unmasked) export: asked by one, approved by another, downloaded
once by the asker within the time limit, watermarked and audited."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import ApprovalRequest, AuditEntry
from shequ.core.roles import Role
from shequ.core.services.approvals import approval_decide
from shequ.core.tests.factories import login, make_user
from shequ.registry.full_export import full_export_download, full_export_request
from shequ.registry.tests.factories import make_household, make_resident, new_id


@pytest.fixture
def ledger(city):
    here = make_household(city.units["A1a"], room="101")
    there = make_household(city.units["A2a"], room="201")
    id_here = new_id()
    make_resident(here, name="张三", id_number=id_here, mobile="13800001111")
    make_resident(there, name="李四")
    return {"id_here": id_here}


@pytest.fixture
def checker(city):
    return make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="checker")


class _Request:
    def __init__(self, user):
        self.user = user
        self.request_id = "req-1"
        self.META = {}


def _asked(people, city, fmt="csv"):
    return full_export_request(
        actor=people["community_worker"],
        area=city.communities["A1"],
        purpose="民政局低保年审核对",
        fmt=fmt,
    )


def test_approved_export_downloads_once_unmasked_watermarked_and_audited(
    city, people, ledger, checker
):
    approval = _asked(people, city)
    approval_decide(actor=checker, approval=approval, approve=True)
    approval.refresh_from_db()
    response = full_export_download(request=_Request(people["community_worker"]), approval=approval)
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "community_worker" in rows[0][0]  # the watermark names the exporter
    assert [r[0] for r in rows[2:]] == ["张三"]  # only the requested community
    assert rows[2][4] == ledger["id_here"] and rows[2][5] == "13800001111"  # unmasked
    entry = AuditEntry.objects.filter(event_type="export").get()
    assert entry.detail["masked"] is False and entry.detail["row_count"] == 1
    assert entry.detail["approval"] == approval.pk and entry.detail["approved_by"] == checker.pk
    assert ledger["id_here"] not in str(entry.detail)
    # The second click finds it used.
    approval.refresh_from_db()
    assert approval.state == ApprovalRequest.State.EXPIRED
    with pytest.raises(Conflict):
        full_export_download(request=_Request(people["community_worker"]), approval=approval)


def test_nobody_approves_their_own_request(city, people, ledger):
    approval = _asked(people, city)
    with pytest.raises(Forbidden):
        approval_decide(actor=people["community_worker"], approval=approval, approve=True)


def test_unapproved_or_rejected_requests_cannot_be_downloaded(city, people, ledger, checker):
    approval = _asked(people, city)
    with pytest.raises(Conflict):
        full_export_download(request=_Request(people["community_worker"]), approval=approval)
    approval_decide(actor=checker, approval=approval, approve=False)
    approval.refresh_from_db()
    with pytest.raises(Conflict):
        full_export_download(request=_Request(people["community_worker"]), approval=approval)
    assert not AuditEntry.objects.filter(event_type="export").exists()


def test_only_the_requester_downloads_and_only_within_the_time_limit(
    city, people, ledger, checker, settings
):
    approval = _asked(people, city)
    approval_decide(actor=checker, approval=approval, approve=True)
    approval.refresh_from_db()
    with pytest.raises(Forbidden):
        full_export_download(request=_Request(checker), approval=approval)
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        decided_at=timezone.now() - timedelta(hours=25)
    )
    approval.refresh_from_db()
    with pytest.raises(Conflict):
        full_export_download(request=_Request(people["community_worker"]), approval=approval)


def test_a_grid_worker_cannot_ask_and_a_worker_of_another_community_cannot_approve(
    city, people, ledger
):
    with pytest.raises(Forbidden):
        full_export_request(
            actor=people["grid_worker"], area=city.grids["A1a"], purpose="核对数据", fmt="csv"
        )
    approval = _asked(people, city)
    outsider = make_user(Role.COMMUNITY_WORKER, city.communities["A2"])
    with pytest.raises(Forbidden):
        approval_decide(actor=outsider, approval=approval, approve=True)
    # A security administrator manages roles, not the ledger.
    with pytest.raises(Forbidden):
        approval_decide(actor=people["security_admin"], approval=approval, approve=True)


def test_a_request_needs_a_purpose_and_a_known_format(city, people):
    with pytest.raises(InvalidInput) as refused:
        full_export_request(
            actor=people["community_worker"], area=city.communities["A1"], purpose="", fmt="csv"
        )
    assert refused.value.field == "purpose"
    with pytest.raises(InvalidInput):
        full_export_request(
            actor=people["community_worker"],
            area=city.communities["A1"],
            purpose="核对数据用途",
            fmt="pdf",
        )


def test_the_web_journey_ask_approve_download(client, city, people, ledger, checker):
    login(client, people["community_worker"])
    url = reverse("registry:full_export_list")
    response = client.post(
        url, {"area": city.communities["A1"].pk, "purpose": "低保年审核对", "format": "xlsx"}
    )
    assert response.status_code == 302
    approval = ApprovalRequest.objects.get(kind="registry_full_export")
    page = client.get(url)
    assert "等待他人审批" in page.content.decode()
    client.logout()
    login(client, checker)
    assert "批准" in client.get(url).content.decode()
    client.post(reverse("registry:full_export_decide", args=[approval.pk]), {"decision": "approve"})
    client.logout()
    login(client, people["community_worker"])
    response = client.post(reverse("registry:full_export_download", args=[approval.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.properties.creator == "community_worker"
    values = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert values[2][4] == ledger["id_here"]
    again = client.post(reverse("registry:full_export_download", args=[approval.pk]), follow=True)
    assert "已下载过" in again.content.decode()


def test_masked_export_stays_the_default(client, city, people, ledger):
    login(client, people["community_worker"])
    response = client.post(reverse("registry:resident_export"), {"format": "csv"})
    assert ledger["id_here"] not in response.content.decode("utf-8-sig")
