"""Route table rows of the registry added after the first slice (the rows of
the first slice stay in ``test_route_matrix.py``): the full (unmasked)
export with maker-checker. A request for community A1 is reached by
community A1's workers and refused (404) to community A2's."""

from __future__ import annotations

from tests.security.specs import Scoped, Staff, Target

COMMUNITY_PAIRS = (("community_worker", "community_worker_b"),)
PURPOSE = "核对欧阳低保名单"


def _approval(w, *, requester: str, approved: bool):
    """A full-export request for community A1 (and its approval), written
    without the services so the audit test counts only the action it drives."""
    from django.utils import timezone

    from shequ.core.models import ApprovalRequest
    from shequ.core.tests.factories import make_user
    from shequ.registry.full_export import KIND

    community = w.city.communities["A1"]
    other = make_user("community_worker", community)
    by = w.people[requester] if requester != "other" else other
    now = timezone.now()
    return ApprovalRequest.objects.create(
        kind=KIND,
        payload={"area_id": community.pk, "purpose": PURPOSE, "format": "csv"},
        summary=f"完整信息导出 · {PURPOSE}",
        area_path=community.path,
        requested_by=by,
        requested_at=now,
        expires_at=now + timezone.timedelta(hours=72),
        state=ApprovalRequest.State.APPROVED if approved else ApprovalRequest.State.PENDING,
        decided_by=other if approved else None,
        decided_at=now if approved else None,
    )


def decide_target(w) -> Target:
    approval = _approval(w, requester="other", approved=False)
    return Target({"pk": approval.pk}, {"decision": "approve"}, secret=PURPOSE)


def download_target(w) -> Target:
    approval = _approval(w, requester="community_worker", approved=True)
    return Target({"pk": approval.pk}, secret=PURPOSE)


def request_data(w) -> dict:
    return {"area": w.city.communities["A1"].pk, "purpose": "民政核对低保", "format": "csv"}


ROUTES = {
    "registry:full_export_list": Staff("community_worker", request_data, mutates=True),
    "registry:full_export_decide": Scoped(
        COMMUNITY_PAIRS, decide_target, changes=frozenset({"POST"})
    ),
    "registry:full_export_download": Scoped(
        COMMUNITY_PAIRS, download_target, changes=frozenset({"POST"})
    ),
}
