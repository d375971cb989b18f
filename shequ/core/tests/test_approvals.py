from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import ApprovalRequest, AuditEntry, RoleAssignment
from shequ.core.roles import Role
from shequ.core.services.approvals import approval_decide, role_grant_request
from shequ.core.tests.factories import login, make_user


@pytest.fixture
def second_security_admin(city):
    return make_user(Role.SECURITY_ADMIN, city.city, username="security2")


def test_ordinary_grants_take_effect_at_once(city, people):
    newcomer = make_user(username="newcomer")
    outcome = role_grant_request(
        actor=people["security_admin"], user=newcomer, role=Role.GRID_WORKER, area=city.grids["A1a"]
    )
    assert outcome.assignment is not None
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.GRID_WORKER).exists()


def test_sensitive_grant_waits_for_a_second_person(city, people, second_security_admin):
    newcomer = make_user(username="newcomer")
    outcome = role_grant_request(
        actor=people["security_admin"], user=newcomer, role=Role.AUDITOR, area=city.city
    )
    assert outcome.approval.state == "pending"
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    with pytest.raises(Forbidden):
        approval_decide(actor=people["security_admin"], approval=outcome.approval, approve=True)
    approval_decide(actor=second_security_admin, approval=outcome.approval, approve=True)
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.AUDITOR).exists()
    with pytest.raises(Conflict):
        approval_decide(actor=second_security_admin, approval=outcome.approval, approve=True)
    assert AuditEntry.objects.filter(event_type="approval_approved").count() == 1


def test_district_wide_grants_need_approval_and_expire(city, people, second_security_admin):
    newcomer = make_user(username="newcomer")
    outcome = role_grant_request(
        actor=people["security_admin"], user=newcomer, role=Role.DISTRICT_STAFF, area=city.district
    )
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        with pytest.raises(Conflict, match="过期"):
            approval_decide(actor=second_security_admin, approval=outcome.approval, approve=True)
    assert ApprovalRequest.objects.get(pk=outcome.approval.pk).state == "expired"
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_approval_pages(client, city, people, second_security_admin):
    newcomer = make_user(username="newcomer")
    login(client, people["security_admin"])
    response = client.post(
        f"/users/{newcomer.pk}/roles/",
        {"role": Role.SECURITY_ADMIN, "area": city.city.pk},
        follow=True,
    )
    assert "已提交审批" in response.content.decode()
    approval = ApprovalRequest.objects.get()
    page = client.get("/approvals/").content.decode()
    assert "等待他人审批" in page
    client.post(f"/approvals/{approval.pk}/decide/", {"decision": "approve"})
    assert ApprovalRequest.objects.get().state == "pending"
    login(client, second_security_admin)
    client.post(f"/approvals/{approval.pk}/decide/", {"decision": "approve"})
    assert ApprovalRequest.objects.get().state == "approved"
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.SECURITY_ADMIN).exists()


def test_other_roles_cannot_reach_approvals(client, city, people):
    login(client, people["city_admin"])
    assert client.get("/approvals/").status_code == 403
    login(client, people["auditor"])
    assert client.get("/approvals/").status_code == 403


def test_a_sensitive_grant_that_could_never_be_approved_is_refused_when_filed(city, people):
    with pytest.raises(InvalidInput, match="专用账户"):
        role_grant_request(
            actor=people["security_admin"],
            user=people["community_worker"],
            role=Role.AUDITOR,
            area=city.city,
        )
    assert not ApprovalRequest.objects.exists()


def test_each_kind_of_request_is_decided_by_its_own_handler(db):
    import pytest

    from shequ.core.errors import Conflict
    from shequ.core.services.approvals import approval_kind, register_approval_kind

    register_approval_kind("test_kind", action="registry.view")
    assert approval_kind("test_kind").action == "registry.view"
    assert approval_kind("role_grant").on_approve is not None
    with pytest.raises(Conflict):
        approval_kind("never_registered")
