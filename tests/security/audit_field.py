"""Audit table rows of the field app: each action leaves exactly one line."""

from __future__ import annotations

from types import SimpleNamespace

from tests.security import routes_field as r
from tests.security.specs import Act, act_as


def _w(city, people):
    return SimpleNamespace(city=city, people=people)


ACTIONS = {
    "field visit upload": Act(
        "create",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: "/field/sync/visit/",
            lambda c, p: r.sync_data(_w(c, p)),
        ),
        "field.visit",
    ),
    "field visit upload (api)": Act(
        "create",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: "/api/v1/field/visits",
            lambda c, p: r._api_visit(_w(c, p)).data,
            api=True,
        ),
        "field.visit",
    ),
    "field need to case": Act(
        "create",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: f"/field/needs/{r._visit_rows(_w(c, p))[2].pk}/convert/",
            lambda c, p: {"kind": "service_order"},
        ),
        "workorders.workorder",
    ),
    "field proposal decide": Act(
        "approval_approved",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: f"/field/proposals/{r.proposal(_w(c, p)).pk}/decide/",
            lambda c, p: {"decision": "approve"},
        ),
        "field.ledgerchangeproposal",
    ),
    "field instruction send": Act(
        "create",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: "/field/instructions/",
            lambda c, p: r._instruction_data(_w(c, p)),
        ),
        "field.instruction",
    ),
    "field instruction reply": Act(
        "update",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: "/field/sync/reply/",
            lambda c, p: {"assignment": r.assignment(_w(c, p)).pk, "action": "acknowledge"},
        ),
        "field.instructionassignment",
    ),
    "field report upload": Act(
        "create",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: "/field/sync/report/",
            lambda c, p: r.report_data(_w(c, p)),
        ),
        "workorders.workorder",
    ),
    "field outpost schedule": Act(
        "create",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: "/field/outposts/",
            lambda c, p: r.schedule_data(_w(c, p)),
        ),
        "field.outpost",
    ),
    "field outpost record": Act(
        "create",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: "/field/sync/outpost/",
            lambda c, p: r.outpost_data(_w(c, p)),
        ),
        "field.outpostservice",
    ),
    "field work log note": Act(
        "create",
        act_as(
            "grid_worker",
            "POST",
            lambda c, p: "/field/sync/note/",
            lambda c, p: r.note_data(_w(c, p)),
        ),
        "field.worklognote",
    ),
    "field work log comment": Act(
        "create",
        act_as(
            "community_worker",
            "POST",
            lambda c, p: "/field/worklog/comment/",
            lambda c, p: r._comment(_w(c, p)).data,
        ),
        "field.worklogcomment",
    ),
}

AUDITED_ROUTES = {
    "field:sync_visit": "field visit upload",
    "api:field_visit_new": "field visit upload (api)",
    "field:need_convert": "field need to case",
    "field:proposal_decide": "field proposal decide",
    "field:instructions": "field instruction send",
    "field:sync_reply": "field instruction reply",
    "field:sync_report": "field report upload",
    "field:sync_note": "field work log note",
    "field:outposts": "field outpost schedule",
    "field:sync_outpost": "field outpost record",
    "field:worklog_comment": "field work log comment",
}
