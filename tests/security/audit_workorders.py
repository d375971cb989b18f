"""Audit table rows of the work-order flow features: each leaves one line."""

from __future__ import annotations

from types import SimpleNamespace

from tests.security import routes_workorders as r
from tests.security.specs import Act, act_as

ORDER = "workorders.workorder"


def _w(city, people):
    return SimpleNamespace(city=city, people=people)


def _target(builder):
    return lambda c, p: builder(_w(c, p))


def _post(who, url, data=None, *, api=False):
    return act_as(who, "POST", url, data, api=api)


def _whistle_url(c, p):
    order = r.case(_w(c, p))
    return f"/workorders/{order.pk}/whistle/"


def _merge_target(api):
    state = {}

    # act_as builds the body before the URL: both cases are made in data().
    def data(c, p):
        w = _w(c, p)
        kept, state["duplicate"] = r.case(w), r.case(w)
        return {"kept_id" if api else "kept": kept.pk}

    def url(c, p):
        pk = state["duplicate"].pk
        return f"/api/v1/workorders/{pk}/merge" if api else f"/workorders/{pk}/merge/"

    return url, data


_merge_web = _merge_target(api=False)
_merge_api = _merge_target(api=True)

ACTIONS = {
    "workorder whistle (web)": Act(
        "update",
        _post(
            "community_worker",
            _whistle_url,
            lambda c, p: {"departments": [r.department(_w(c, p)).pk]},
        ),
        ORDER,
    ),
    "workorder whistle (api)": Act(
        "update",
        _post(
            "community_worker",
            lambda c, p: f"/api/v1/workorders/{r.case(_w(c, p)).pk}/whistle",
            lambda c, p: {"department_ids": [r.department(_w(c, p)).pk]},
            api=True,
        ),
        ORDER,
    ),
    "whistle answer (web)": Act(
        "update",
        _post(
            "department_handler",
            lambda c, p: f"/workorders/whistles/{r.whistle_call(_w(c, p)).pk}/report/",
            lambda c, p: {"report": "已联合执法"},
        ),
        ORDER,
    ),
    "whistle acknowledge (api)": Act(
        "update",
        _post(
            "department_handler",
            lambda c, p: f"/api/v1/workorders/whistles/{r.whistle_call(_w(c, p)).pk}/acknowledge",
            api=True,
        ),
        ORDER,
    ),
    "whistle report (api)": Act(
        "update",
        _post(
            "department_handler",
            lambda c, p: f"/api/v1/workorders/whistles/{r.whistle_call(_w(c, p)).pk}/report",
            lambda c, p: {"report": "已联合执法"},
            api=True,
        ),
        ORDER,
    ),
    "workorder pause (api)": Act(
        "update",
        _post(
            "community_worker",
            lambda c, p: f"/api/v1/workorders/{r.case(_w(c, p)).pk}/pause",
            lambda c, p: {"reason": "等居民回家"},
            api=True,
        ),
        ORDER,
    ),
    "workorder resume (api)": Act(
        "update",
        _post(
            "community_worker",
            lambda c, p: f"/api/v1/workorders/{r.paused(_w(c, p)).pk}/resume",
            api=True,
        ),
        ORDER,
    ),
    "workorder merge (web)": Act("update", _post("community_worker", *_merge_web), ORDER),
    "workorder merge (api)": Act("update", _post("community_worker", *_merge_api, api=True), ORDER),
    "front desk reception": Act(
        "create",
        _post("community_worker", lambda c, p: "/workorders/reception/", _target(r.reception_data)),
        "workorders.receptionlog",
    ),
    "guidance template save": Act(
        "create",
        _post(
            "community_worker", lambda c, p: "/workorders/guidance/edit/", _target(r.guidance_data)
        ),
        "workorders.guidancetemplate",
    ),
    "category save": Act(
        "create",
        _post(
            "district_staff", lambda c, p: "/workorders/catalog/category/", _target(r.category_data)
        ),
        "workorders.category",
    ),
    "department save": Act(
        "create",
        _post(
            "district_staff",
            lambda c, p: "/workorders/catalog/department/",
            _target(r.department_data),
        ),
        "workorders.department",
    ),
    "hotline ticket push": Act(
        "create",
        _post(
            "street_staff",
            lambda c, p: "/api/v1/workorders/hotline/tickets",
            _target(r.hotline_data),
            api=True,
        ),
        ORDER,
    ),
}

AUDITED_ROUTES = {
    "workorders:order_whistle": "workorder whistle (web)",
    "api:order_whistle": "workorder whistle (api)",
    "workorders:whistle_answer": "whistle answer (web)",
    "api:whistle_ack": "whistle acknowledge (api)",
    "api:whistle_feedback": "whistle report (api)",
    "api:order_pause": "workorder pause (api)",
    "api:order_resume": "workorder resume (api)",
    "workorders:order_merge": "workorder merge (web)",
    "api:order_merge": "workorder merge (api)",
    "workorders:reception": "front desk reception",
    "workorders:guidance_edit": "guidance template save",
    "workorders:category_edit": "category save",
    "workorders:department_edit": "department save",
    "api:hotline_ticket_push": "hotline ticket push",
}
