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
