"""Audit table rows of the registry's newer routes: each leaves one line."""

from __future__ import annotations

from types import SimpleNamespace

from tests.security import routes_registry as r
from tests.security.specs import Act, act_as


def _w(city, people):
    return SimpleNamespace(city=city, people=people)


ACTIONS = {
    "registry full export request": Act(
        "approval_requested",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: "/registry/full-exports/",
            lambda c, p: r.request_data(_w(c, p)),
        ),
        "core.approvalrequest",
    ),
    "registry full export approve": Act(
        "approval_approved",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: f"/registry/full-exports/{r.decide_target(_w(c, p)).kwargs['pk']}/decide/",
            lambda c, p: {"decision": "approve"},
        ),
        "core.approvalrequest",
    ),
    "registry full export download": Act(
        "export",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: (
                f"/registry/full-exports/{r.download_target(_w(c, p)).kwargs['pk']}/download/"
            ),
        ),
        "registry.resident",
    ),
}

AUDITED_ROUTES = {
    "registry:full_export_list": "registry full export request",
    "registry:full_export_decide": "registry full export approve",
    "registry:full_export_download": "registry full export download",
}


# Transfers between communities: each request, decision and withdrawal leaves one line.
ACTIONS.update(
    {
        "registry transfer pull": Act(
            "create",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: "/api/v1/registry/transfers/pull",
                lambda c, p: r.api_transfer_pull_target(_w(c, p)).data,
                api=True,
            ),
            "registry.residenttransfer",
        ),
        "registry transfer push": Act(
            "create",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: (
                    f"/registry/transfers/out/{r.transfer_push_target(_w(c, p)).kwargs['pk']}/"
                ),
                lambda c, p: {
                    "community": c.communities["B1"].pk,
                    "area": c.units["B1a"].pk,
                    "room": r.TRANSFER_ROOM,
                },
            ),
            "registry.residenttransfer",
        ),
        "registry transfer accept": Act(
            "move",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: f"/registry/transfers/{r.transfer_pending(_w(c, p)).pk}/decide/",
                lambda c, p: {"decision": "accept"},
            ),
            "registry.resident",
        ),
        "registry transfer decide": Act(
            "update",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: f"/api/v1/registry/transfers/{r.transfer_pending(_w(c, p)).pk}/decide",
                lambda c, p: {"accept": False, "note": "此人仍在本社区居住"},
                api=True,
            ),
            "registry.residenttransfer",
        ),
        "registry transfer cancel": Act(
            "update",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: (
                    f"/registry/transfers/{r.transfer_pending(_w(c, p), pushed=True).pk}/cancel/"
                ),
            ),
            "registry.residenttransfer",
        ),
    }
)

AUDITED_ROUTES.update(
    {
        "registry:transfer_pull": "registry transfer pull",
        "api:transfer_pull_route": "registry transfer pull",
        "registry:transfer_push": "registry transfer push",
        "api:transfer_push_route": "registry transfer push",
        "registry:transfer_decide": "registry transfer accept",
        "api:transfer_decide_route": "registry transfer decide",
        "registry:transfer_cancel": "registry transfer cancel",
        "api:transfer_cancel_route": "registry transfer cancel",
    }
)


# The full export through the API: the same three lines as the web.
ACTIONS.update(
    {
        "registry full export request (api)": Act(
            "approval_requested",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: "/api/v1/registry/full-exports",
                lambda c, p: r.api_full_export_request_data(_w(c, p)),
                api=True,
            ),
            "core.approvalrequest",
        ),
        "registry full export approve (api)": Act(
            "approval_approved",
            act_as(
                "community_worker",
                "POST",
                lambda c, p: (
                    "/api/v1/registry/full-exports/"
                    f"{r.api_full_export_decide_target(_w(c, p)).kwargs['approval_id']}/decide"
                ),
                lambda c, p: {"approve": True},
                api=True,
            ),
            "core.approvalrequest",
        ),
        "registry full export download (api)": Act(
            "export",
            act_as(
                "community_worker",
                "GET",
                lambda c, p: (
                    "/api/v1/registry/full-exports/"
                    f"{r.api_full_export_download_target(_w(c, p)).kwargs['approval_id']}/download"
                ),
                api=True,
            ),
            "registry.resident",
        ),
    }
)
AUDITED_ROUTES.update(
    {
        "api:full_export_request_route": "registry full export request (api)",
        "api:full_export_decide_route": "registry full export approve (api)",
        "api:full_export_download_route": "registry full export download (api)",
    }
)
