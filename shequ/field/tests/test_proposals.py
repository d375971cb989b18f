"""Ledger change proposals: a community worker applies them through the
registry, with conflicts shown when the ledger changed meanwhile."""

from __future__ import annotations

import pytest

from shequ.core.errors import Conflict, Forbidden
from shequ.field.models import LedgerChangeProposal
from shequ.field.services import proposal_decide
from shequ.field.services.proposals import conflicts
from shequ.field.tests.factories import household_with, visit
from shequ.registry.models import LifeEvent, Resident
from shequ.registry.services import resident_update

pytestmark = pytest.mark.django_db


def _propose(people, household, **proposal):
    visit(people["grid_worker"], household, payload={"proposals": [proposal]})
    return LedgerChangeProposal.objects.get()


def test_approving_a_new_member_enters_them_into_the_ledger(city, people):
    household = household_with(city.units["A1a"])
    proposal = _propose(
        people, household, kind="new_member", name="王小宝", gender="male", relation="child"
    )
    proposal_decide(actor=people["community_worker"], proposal=proposal, approve=True)
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.decided_by == people["community_worker"]
    member = Resident.objects.get(name="王小宝")
    assert member.household == household and member.relation_to_head == "child"
    assert LifeEvent.objects.filter(resident=member, kind="move_in").exists()


def test_approving_a_move_out_and_a_phone_change(city, people):
    household = household_with(city.units["A1a"], name="李四")
    resident = household.members.get()
    _propose(people, household, kind="phone_changed", resident=resident.pk, mobile="13912345678")
    proposal = LedgerChangeProposal.objects.get()
    assert (
        proposal.new_mobile_masked.startswith("139")
        and "12345678" not in proposal.new_mobile_masked
    )
    proposal_decide(actor=people["community_worker"], proposal=proposal, approve=True)
    resident.refresh_from_db()
    assert resident.mobile == "13912345678"

    LedgerChangeProposal.objects.all().delete()
    proposal = _propose(
        people, household, kind="moved_out", resident=resident.pk, destination="北京"
    )
    proposal_decide(actor=people["community_worker"], proposal=proposal, approve=True)
    resident.refresh_from_db()
    assert resident.is_removed and "北京" in resident.removed_reason


def test_a_resident_changed_since_the_visit_is_a_conflict_until_checked(city, people):
    household = household_with(city.units["A1a"], name="赵五")
    resident = household.members.get()
    proposal = _propose(
        people, household, kind="phone_changed", resident=resident.pk, mobile="13912345678"
    )
    resident_update(actor=None, resident=resident, notes="社区已更新")
    proposal.refresh_from_db()
    assert conflicts(proposal)
    with pytest.raises(Conflict) as error:
        proposal_decide(actor=people["community_worker"], proposal=proposal, approve=True)
    assert error.value.code == "changed_since_proposed"
    assert LedgerChangeProposal.objects.get().state == "pending"
    proposal_decide(actor=people["community_worker"], proposal=proposal, approve=True, checked=True)
    resident.refresh_from_db()
    assert resident.mobile == "13912345678" and resident.notes == "社区已更新"


def test_rejecting_changes_nothing_and_a_decision_is_final(city, people):
    household = household_with(city.units["A1a"])
    proposal = _propose(people, household, kind="new_member", name="错登", gender="female")
    proposal_decide(
        actor=people["community_worker"], proposal=proposal, approve=False, note="查无此人"
    )
    assert not Resident.objects.filter(name="错登").exists()
    with pytest.raises(Conflict):
        proposal_decide(actor=people["community_worker"], proposal=proposal, approve=True)


def test_only_the_community_of_the_household_decides(city, people):
    household = household_with(city.units["A1a"])
    proposal = _propose(people, household, kind="new_member", name="王小宝", gender="male")
    from shequ.core.roles import Role
    from shequ.core.tests.factories import make_user

    other_community = make_user(Role.COMMUNITY_WORKER, city.communities["A2"])
    for outsider in (other_community, people["grid_worker"]):
        with pytest.raises(Forbidden):
            proposal_decide(actor=outsider, proposal=proposal, approve=True)
    assert LedgerChangeProposal.objects.get().state == "pending"


def test_a_proposal_for_a_member_of_another_household_is_refused(city, people):
    from shequ.core.errors import InvalidInput

    household = household_with(city.units["A1a"])
    stranger = household_with(city.units["A1a"]).members.get()
    with pytest.raises(InvalidInput):
        _propose(people, household, kind="moved_out", resident=stranger.pk)
