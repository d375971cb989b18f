"""The scoping sweep (SECURITY.md rows 8-10): every route, every method, every
kind of caller.

``ROUTES`` below is the one table of how to reach each URL pattern the project
serves, web and API alike. ``test_every_route_is_in_the_table`` fails when a
route exists that the table does not describe, so a new feature must add its
routes here, and then gets the anonymous, wrong-role, in-scope and
out-of-scope cases generated for it:

(a) anonymous → login redirect (web) or 401 (API), nothing changes;
(b) a volunteer and a resident → 403, or 404 on object routes, nothing changes;
(c) on object routes, the actor holding the right role on the object's area
    succeeds, and the same kind of actor in the other grid or street gets 404
    (never 403, never the object's data) and the object stays as it was;
(d)/(e) lists, searches and API filters return only rows in scope, whatever
    extra parameters are sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shequ.core.models import Area, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.services.areas import area_create
from shequ.core.services.tokens import token_create
from tests.security.helpers import (
    LOGIN_URL,
    assert_error_format,
    client_for,
    file_sensitive_grant,
    send,
    state,
)
from tests.security.specs import (
    LoggedIn,
    Open311,
    Own,
    Public,
    Scoped,
    Staff,
    Target,
    app_tables,
)

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TEMP_PASSWORD = "Linshi-Mima-2026#"


# --------------------------------------------------------------------------
# Discovering the routes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "core:area_detail", "api:areas", "set_language"
    pattern: str  # "areas/<int:pk>/"
    methods: tuple[str, ...]
    api: bool


def _declared_methods(view) -> tuple[str, ...] | None:
    """The methods a ``require_http_methods``-decorated view accepts, or None."""
    fn, seen = view, set()
    while fn is not None and id(fn) not in seen:
        seen.add(id(fn))
        code = getattr(fn, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = fn.__closure__[code.co_freevars.index("request_method_list")]
            return tuple(sorted(cell.cell_contents))
        fn = getattr(fn, "__wrapped__", None)
    return None


def _ninja_methods(view, name: str) -> tuple[str, ...] | None:
    """The methods of the django-ninja operation registered under ``name``."""
    for cell in getattr(view, "__closure__", None) or ():
        path_view = cell.cell_contents
        operations = getattr(path_view, "operations", None)
        if operations is None:
            continue
        for operation in operations:
            if (getattr(operation, "url_name", None) or operation.view_func.__name__) == name:
                return tuple(sorted(operation.methods))
    return None


def discover_routes() -> dict[str, Route]:
    found: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = (
                    f"{namespace}:{entry.namespace}"
                    if namespace and entry.namespace
                    else (entry.namespace or namespace)
                )
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
                continue
            assert isinstance(entry, URLPattern)
            pattern = prefix + str(entry.pattern)
            key = (
                f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or pattern)
            )
            methods = _ninja_methods(entry.callback, entry.name or "")
            api = methods is not None or pattern.startswith("api/")
            if methods is None:
                methods = _declared_methods(entry.callback) or ALL_METHODS
            assert key not in found, f"two routes share the name {key}"
            found[key] = Route(key, pattern, methods, api)

    walk(get_resolver().url_patterns, "", "")
    return found


DISCOVERED = discover_routes()


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


VIEW_PAIRS = (("grid_worker", "grid_worker_b"), ("street_staff", "street_staff_b"))
CHANGE_PAIRS = (("street_staff", "street_staff_b"),)
USER_VIEW_PAIRS = (("street_staff", "street_staff_b"),)
USER_MANAGE_PAIRS = (("city_admin", "city_admin_b"),)
ROLE_PAIRS = (("security_admin", "security_admin_b"),)


def _grid(w) -> Target:
    grid = w.city.grids["A1a"]
    return Target({"pk": grid.pk}, secret=grid.name)


def _api_grid(w) -> Target:
    grid = w.city.grids["A1a"]
    return Target({"area_id": grid.pk}, secret=grid.path)


def _movable_grid(w) -> Area:
    """A grid of community A1 whose code is free in community A2."""
    return area_create(
        actor=None, parent=w.city.communities["A1"], level="grid", code="Gm", name="A1临时网格"
    )


def _web_area_create(w) -> Target:
    grid = w.city.grids["A1a"]
    return Target(
        {"pk": grid.pk}, {"level": "estate", "code": "E9", "name": "新建小区"}, secret=grid.name
    )


def _web_area_edit(w) -> Target:
    grid = w.city.grids["A1a"]
    return Target({"pk": grid.pk}, {"code": grid.code, "name": "A1a网格（改名）"}, secret=grid.name)


def _web_area_move(w) -> Target:
    grid = _movable_grid(w)
    return Target({"pk": grid.pk}, {"new_parent": w.city.communities["A2"].pk}, secret=grid.name)


def _api_area_new(w) -> Target:
    parent = w.city.grids["A1a"]
    return Target(
        {},
        {"parent_id": parent.pk, "level": "estate", "code": "E9", "name": "新建小区"},
        secret=parent.path,
    )


def _api_area_patch(w) -> Target:
    grid = w.city.grids["A1a"]
    return Target({"area_id": grid.pk}, {"name": "A1a网格（改名）"}, secret=grid.path)


def _api_area_move(w) -> Target:
    grid = _movable_grid(w)
    return Target(
        {"area_id": grid.pk}, {"parent_id": w.city.communities["A2"].pk}, secret=grid.path
    )


def _subject(w) -> Target:
    subject = w.people["grid_worker"]
    return Target({"pk": subject.pk}, secret=subject.username)


def _role_grant(w) -> Target:
    subject = w.people["grid_worker"]
    return Target(
        {"pk": subject.pk},
        {"role": Role.BUILDING_TEAM, "area": w.city.grids["A1a"].pk},
        secret=subject.username,
    )


def _role_revoke(w) -> Target:
    subject = w.people["grid_worker"]
    assignment = RoleAssignment.objects.get(user=subject)
    return Target({"pk": subject.pk, "role_pk": assignment.pk}, secret=subject.username)


def _user_active(w) -> Target:
    return Target(
        _subject(w).kwargs,
        {"active": "0", "reason": "test"},
        secret=w.people["grid_worker"].username,
    )


def _password_reset(w) -> Target:
    return Target(
        _subject(w).kwargs,
        {"temporary_password": TEMP_PASSWORD},
        secret=w.people["grid_worker"].username,
    )


def _user_edit(w) -> Target:
    return Target(
        _subject(w).kwargs,
        {"full_name": "改过的名字", "mobile": ""},
        secret=w.people["grid_worker"].username,
    )


def _otp_reset(w) -> Target:
    return Target(
        _subject(w).kwargs, {"reason": "手机丢失"}, secret=w.people["grid_worker"].username
    )


def _user_unlock(w) -> Target:
    subject = w.people["grid_worker"]
    AccessAttempt.objects.create(
        username=subject.username,
        ip_address="192.0.2.10",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info=LOGIN_URL,
    )
    return Target({"pk": subject.pk}, secret=subject.username)


def _approval(w) -> Target:
    """A sensitive grant in street A, filed by the city's security administrator,
    for street A's security administrator to decide."""
    approval, _subject = file_sensitive_grant(w.city, w.people)
    return Target({"pk": approval.pk}, {"decision": "approve"}, secret=approval.summary)


SECRET_NAME = "欧阳秘密"


def _resident(w):
    """A resident of unit A1a, with an ID number that must never leak."""
    from shequ.registry.tests.factories import make_household, make_resident

    household = make_household(w.city.units["A1a"])
    return make_resident(household, name=SECRET_NAME, mobile="13700001111")


def _web_resident(w) -> Target:
    resident = _resident(w)
    return Target({"pk": resident.pk}, secret=resident.id_number)


def _web_reveal(w) -> Target:
    resident = _resident(w)
    return Target({"pk": resident.pk}, {"reason": "核对低保资格"}, secret=resident.id_number)


def _web_household(w) -> Target:
    resident = _resident(w)
    return Target({"pk": resident.household_id}, secret=SECRET_NAME)


def _api_resident(w) -> Target:
    resident = _resident(w)
    return Target({"resident_id": resident.pk}, secret=SECRET_NAME)


def _api_reveal(w) -> Target:
    resident = _resident(w)
    return Target(
        {"resident_id": resident.pk}, {"reason": "核对低保资格"}, secret=resident.id_number
    )


REGISTRY_VIEW_PAIRS = VIEW_PAIRS + (("community_worker", "community_worker_b"),)
REVEAL_PAIRS = (("community_worker", "community_worker_b"),)


# registry import: a checked import job in grid A1a (one good row, one rejected).
IMPORT_PAIRS = (("grid_worker", "grid_worker_b"), ("community_worker", "community_worker_b"))
IMPORT_FILE = "欧阳秘密台账.csv"
IMPORT_COLUMNS = {"0": "name", "1": "gender", "2": "building", "3": "unit", "4": "room"}


def _import_job(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shequ.registry.importing.runner import run_validation
    from shequ.registry.importing.services import import_job_create

    content = "姓名,性别,楼栋,单元,室\n欧阳秘密,男,1号楼,1,101\n无名,男,9号楼,1,101\n"
    job = import_job_create(
        actor=w.people["grid_worker"],
        area=w.city.grids["A1a"],
        upload=SimpleUploadedFile(IMPORT_FILE, content.encode()),
    )
    run_validation(job)
    job.refresh_from_db()
    return job


def _import(data: dict | None = None, web: bool = False):
    def build(w) -> Target:
        job = _import_job(w)
        return Target({"pk" if web else "job_id": job.pk}, data or {}, secret=IMPORT_FILE)

    return build


# registry export/events/forms: builders for the ledger's edit, life-event and export routes.
REGISTRY_CHANGE_PAIRS = (
    ("grid_worker", "grid_worker_b"),
    ("community_worker", "community_worker_b"),
)


def _web_resident_edit(w) -> Target:
    resident = _resident(w)
    data = {
        "name": SECRET_NAME,
        "residence_type": "registered",
        "living_status": "living",
        "relation_to_head": "other",
        "notes": "已核对",
        "reason": "核对户口本",
    }
    return Target({"pk": resident.pk}, data, secret=resident.id_number)


def _web_resident_action(w) -> Target:
    resident = _resident(w)
    return Target(
        {"pk": resident.pk, "action": "tag_add"}, {"tag": "veteran"}, secret=resident.id_number
    )


def _web_resident_add(w) -> Target:
    resident = _resident(w)
    data = {
        "how": "register",
        "name": "欧阳新",
        "gender": "female",
        "residence_type": "registered",
        "living_status": "living",
        "relation_to_head": "spouse",
    }
    return Target({"pk": resident.household_id}, data, secret=SECRET_NAME)


def _web_household_action(w) -> Target:
    resident = _resident(w)
    data = {"landlord_name": "房东甲", "lease_start": "2025-01-01"}
    return Target({"pk": resident.household_id, "action": "rental"}, data, secret=SECRET_NAME)


def _api_household(w) -> Target:
    resident = _resident(w)
    return Target({"household_id": resident.household_id}, secret=SECRET_NAME)


def _api_household_new(w) -> Target:
    unit = w.city.units["A1a"]
    return Target({}, {"area_id": unit.pk, "room": "909"}, secret=unit.path)


def _api_resident_new(w) -> Target:
    resident = _resident(w)
    data = {"name": "欧阳新", "gender": "female"}
    return Target({"household_id": resident.household_id}, data, secret=SECRET_NAME)


def _api_household_event(w) -> Target:
    from shequ.registry.models import Household

    resident = _resident(w)
    household = Household.objects.get(pk=resident.household_id)
    data = {"kind": "change_head", "new_head_id": resident.pk, "version": household.version}
    return Target({"household_id": household.pk}, data, secret=SECRET_NAME)


def _api_household_rental(w) -> Target:
    resident = _resident(w)
    data = {"lease_start": "2025-01-01", "landlord_name": "房东甲"}
    return Target({"household_id": resident.household_id}, data, secret=SECRET_NAME)


def _api_resident_patch(w) -> Target:
    resident = _resident(w)
    data = {"reason": "核对", "notes": "已核对", "version": resident.version}
    return Target({"resident_id": resident.pk}, data, secret=SECRET_NAME)


def _api_resident_tag_new(w) -> Target:
    resident = _resident(w)
    return Target({"resident_id": resident.pk}, {"code": "veteran"}, secret=SECRET_NAME)


def _api_resident_tag_delete(w) -> Target:
    from shequ.registry.models import KeyPopulationTag
    from shequ.registry.services import resident_tag_add

    resident = _resident(w)
    resident_tag_add(
        actor=None, resident=resident, tag=KeyPopulationTag.objects.get(code="veteran")
    )
    return Target({"resident_id": resident.pk, "code": "veteran"}, secret=SECRET_NAME)


def _api_resident_event(w) -> Target:
    resident = _resident(w)
    data = {"kind": "move_out", "destination": "北京市", "version": resident.version}
    return Target({"resident_id": resident.pk}, data, secret=SECRET_NAME)


def _new_user(w) -> dict:
    return {
        "username": "new_person",
        "full_name": "新同事",
        "mobile": "",
        "kind": "staff",
        "password": TEMP_PASSWORD,
    }


# --- workorders: cases in grid A1a, built through the services ---------------
WO_SECRET = "欧阳家楼道堆物"
WO_GRID_PAIRS = (("grid_worker", "grid_worker_b"),)
WO_COMMUNITY_PAIRS = (("community_worker", "community_worker_b"),)


def _wo(w, stage: str = "reported"):
    """A case in grid A1a reported by its grid worker, taken to ``stage``."""
    from shequ.workorders import services as wo
    from shequ.workorders.tests.factories import make_order

    worker = w.people["grid_worker"]
    kind = "service_order" if stage == "claimed" else "incident"
    if stage == "front_desk":
        return make_order(
            w.city.grids["A1a"], w.people["community_worker"], channel="front_desk", title=WO_SECRET
        )
    order = make_order(w.city.units["A1a"], worker, kind=kind, title=WO_SECRET)
    if stage == "reported":
        return order
    order = wo.workorder_triage(order=order, actor=None, triage_class="minor")
    if stage == "triaged":
        return order
    if stage == "claimed":
        order = wo.workorder_dispatch(order=order, actor=None, to="pool")
        return wo.workorder_claim(order=order, actor=w.people["party_member"])
    order = wo.workorder_dispatch(order=order, actor=None, to="grid", handler=worker)
    if stage == "dispatched":
        return order
    order = wo.workorder_start(order=order, actor=worker)
    if stage == "in_progress":
        return order
    if stage == "in_progress_photo":  # on-site work: a photo before resolving
        return wo.workorder_add_note(order=order, actor=worker, note="现场照片", files=[_photo()])
    return wo.workorder_resolve(order=order, actor=worker, note="已清理。", files=[_photo()])


def _photo():
    from shequ.workorders.tests.factories import photo

    return photo()


def _wo_attachment(w) -> Target:
    """A photo on a case in grid A1a, attached when it was reported."""
    from shequ.workorders.tests.factories import make_order

    order = make_order(
        w.city.units["A1a"], w.people["grid_worker"], title=WO_SECRET, files=[_photo()]
    )
    return Target({"pk": order.attachments.get().pk}, secret=WO_SECRET)


def _wo_target(stage: str, data: dict | None = None, web: bool = False, transition: str = ""):
    def build(w) -> Target:
        order = _wo(w, stage)
        kwargs = {"pk": order.pk} if web else {"order_id": order.pk}
        if transition:
            kwargs["transition"] = transition
        payload = data(w) if callable(data) else dict(data or {})
        return Target(kwargs, payload, secret=WO_SECRET)

    return build


# --- open311: GeoReport v2, token-authenticated -------------------------------


def _open311_case(key: str, params: Callable[[SimpleNamespace, object], dict] | None = None):
    """A case in grid A1a; ``key`` names it in the URL, ``params`` in the query/body."""

    def build(w) -> Target:
        order = _wo(w, "reported")
        kwargs = {"format": "json"}
        if key:
            kwargs[key] = order.number
        # The number: what an intruder must not learn exists (the URL's echo aside).
        return Target(kwargs, params(w, order) if params else {}, secret=order.number)

    return build


def _open311_create(w) -> Target:
    data = {
        "service_code": "sanitation",
        "address_id": w.city.grids["A1a"].pk,
        "description": WO_SECRET,
    }
    return Target({"format": "json"}, data, secret=WO_SECRET)


# One row per route name ("namespace:name"; django-ninja names each operation
# after its function). A new route picks the kind that fits: Public (no login),
# LoggedIn (own things only), Own (an object of the caller), Staff (a role's
# action, no object in the URL) or Scoped (an object in the area tree: give the
# in-scope actor and the same kind of actor elsewhere, and a builder for an
# object in grid A1a / community A1 / street A plus the request data). A route
# that changes data also needs a row in test_audit.AUDITED_ROUTES.
ROUTES: dict[str, Public | LoggedIn | Own | Staff | Scoped | Open311] = {
    # Public: the way in, and the API's description.
    "set_language": Public("language switch"),
    "core:login": Public("login form"),
    "core:logout": Public("logging out needs no session"),
    "api:token_issue": Public("exchanges credentials for a token; counts towards the lockout"),
    "api:openapi-json": Public("OpenAPI document", login_in_production=True),
    "api:openapi-view": Public("API docs page, assets served locally", login_in_production=True),
    "api:api-root": Public("django-ninja's root; answers 404"),
    # Any logged-in user, own things only.
    "core:home": LoggedIn("own roles and areas"),
    "core:otp": LoggedIn("own second factor"),
    "core:password_change": LoggedIn("own password"),
    "core:token_list": LoggedIn("own tokens"),
    "core:inbox": LoggedIn("the caller's own messages"),
    "core:inbox_read_all": LoggedIn("marks the caller's own messages read"),
    "core:inbox_read": LoggedIn("marks only the caller's own message; others are ignored"),
    "api:me": LoggedIn("own account"),
    "api:token_list": LoggedIn("own tokens"),
    "core:token_revoke": Own("pk"),
    "api:token_delete": Own("token_id"),
    # Staff routes without an object in the URL.
    "core:area_browser": Staff("grid_worker"),
    "core:user_list": Staff("street_staff"),
    "core:user_create": Staff("city_admin", _new_user, mutates=True),
    "core:approval_list": Staff("security_admin"),
    "core:audit_list": Staff("auditor"),
    "core:audit_export": Staff("auditor"),
    "api:areas": Staff("grid_worker"),
    "api:audit": Staff("auditor"),
    # Objects in the area tree.
    "core:area_detail": Scoped(VIEW_PAIRS, _grid),
    "core:area_create": Scoped(CHANGE_PAIRS, _web_area_create, frozenset({"POST"})),
    "core:area_edit": Scoped(CHANGE_PAIRS, _web_area_edit, frozenset({"POST"})),
    "core:area_move": Scoped(CHANGE_PAIRS, _web_area_move, frozenset({"POST"})),
    "core:user_detail": Scoped(USER_VIEW_PAIRS, _subject),
    "core:role_grant": Scoped(ROLE_PAIRS, _role_grant, frozenset({"POST"})),
    "core:role_revoke": Scoped(ROLE_PAIRS, _role_revoke, frozenset({"POST"})),
    "core:user_active": Scoped(USER_MANAGE_PAIRS, _user_active, frozenset({"POST"})),
    "core:password_reset": Scoped(USER_MANAGE_PAIRS, _password_reset, frozenset({"POST"})),
    "core:user_unlock": Scoped(ROLE_PAIRS, _user_unlock, frozenset({"POST"})),
    "core:user_edit": Scoped(USER_MANAGE_PAIRS, _user_edit, frozenset({"POST"})),
    "core:otp_reset": Scoped(ROLE_PAIRS, _otp_reset, frozenset({"POST"})),
    "core:approval_decide": Scoped(
        (("security_admin_a", "security_admin_b"),), _approval, frozenset({"POST"})
    ),
    "api:area_new": Scoped(CHANGE_PAIRS, _api_area_new, frozenset({"POST"})),
    "api:area_detail": Scoped(VIEW_PAIRS, _api_grid),
    "api:area_patch": Scoped(CHANGE_PAIRS, _api_area_patch, frozenset({"PATCH"})),
    "api:area_counts_view": Scoped(VIEW_PAIRS, _api_grid),
    "api:area_move_route": Scoped(CHANGE_PAIRS, _api_area_move, frozenset({"POST"})),
    # The registry (residents and households).
    "registry:resident_list": Staff("grid_worker", lambda w: {"q": "欧阳"}),
    "registry:resident_detail": Scoped(REGISTRY_VIEW_PAIRS, _web_resident),
    "registry:resident_reveal": Scoped(REVEAL_PAIRS, _web_reveal),
    "registry:household_detail": Scoped(REGISTRY_VIEW_PAIRS, _web_household),
    "api:residents": Staff("grid_worker"),
    "api:residents_search": Staff("grid_worker", lambda w: {"q": "欧阳"}),
    "api:resident_detail": Scoped(REGISTRY_VIEW_PAIRS, _api_resident),
    "api:resident_reveal_route": Scoped(REVEAL_PAIRS, _api_reveal),
    # registry import (the ledger import wizard and its API).
    "registry:import_list": Staff("grid_worker"),
    "registry:import_upload": Staff("grid_worker"),
    "registry:import_template": Staff("grid_worker"),
    "registry:import_detail": Scoped(IMPORT_PAIRS, _import(web=True)),
    "registry:import_mapping": Scoped(
        IMPORT_PAIRS, _import({f"s0-c{k}": v for k, v in IMPORT_COLUMNS.items()}, web=True)
    ),
    "registry:import_commit": Scoped(
        IMPORT_PAIRS, _import({"mode": "valid_only", "duplicate_mode": "skip"}, web=True)
    ),
    "registry:import_status": Scoped(IMPORT_PAIRS, _import(web=True)),
    "registry:import_rejected": Scoped(IMPORT_PAIRS, _import(web=True)),
    "api:import_upload": Staff("grid_worker"),
    "api:import_list": Staff("grid_worker"),
    "api:import_template": Staff("grid_worker"),
    "api:import_get": Scoped(IMPORT_PAIRS, _import()),
    "api:import_mapping": Scoped(IMPORT_PAIRS, _import({"sheets": {"CSV": IMPORT_COLUMNS}})),
    "api:import_validate": Scoped(IMPORT_PAIRS, _import({"duplicate_mode": "skip"})),
    "api:import_commit": Scoped(IMPORT_PAIRS, _import({"mode": "valid_only"})),
    "api:import_problem_list": Scoped(IMPORT_PAIRS, _import()),
    "api:import_rejected": Scoped(IMPORT_PAIRS, _import()),
    # workorders: cases are seen by staff of the area, their reporter, handler
    # and owner, and (while pooled) by claimants of the community; routes that
    # residents and volunteers legitimately use are LoggedIn, their object
    # rules are tested in shequ/workorders/tests.
    "workorders:order_list": LoggedIn("only cases the caller may see"),
    "workorders:my_orders": LoggedIn("cases the caller reported, handles or owns"),
    "workorders:pool": LoggedIn(
        "pooled orders in the caller's own communities; 403 without the claim action"
    ),
    "workorders:report": LoggedIn("reports only in areas of the caller's own scope"),
    "workorders:order_detail": Scoped(VIEW_PAIRS, _wo_target("reported", web=True)),
    "workorders:order_act": Scoped(
        WO_GRID_PAIRS, _wo_target("dispatched", web=True, transition="start")
    ),
    "api:workorder_categories": LoggedIn("the category catalog"),
    "api:workorders": LoggedIn("only cases the caller may see"),
    "api:order_create": LoggedIn("reports only in areas of the caller's own scope"),
    "api:order_create_multipart": LoggedIn(
        "reports only in areas of the caller's own scope (multipart twin of order_create)"
    ),
    # Multipart: the JSON sweep cannot fill its form; scope (404 outside) is
    # tested in shequ/workorders/tests/test_attachments.py.
    "api:order_attachments": LoggedIn("a note with files on a case the caller may handle"),
    "workorders:attachment_download": Scoped(VIEW_PAIRS, _wo_attachment),
    "api:order_claim": LoggedIn(
        "pooled orders of the caller's own communities; checked by the service"
    ),
    "api:order_rate": LoggedIn("only the case's reporter may rate"),
    "api:order_detail": Scoped(VIEW_PAIRS, _wo_target("reported")),
    "api:order_patch": Scoped(WO_COMMUNITY_PAIRS, _wo_target("reported", {"title": "改过的标题"})),
    "api:order_triage": Scoped(
        WO_COMMUNITY_PAIRS, _wo_target("reported", {"triage_class": "minor"})
    ),
    "api:order_dispatch": Scoped(WO_COMMUNITY_PAIRS, _wo_target("triaged", {"to": "pool"})),
    "api:order_release": Scoped(WO_COMMUNITY_PAIRS, _wo_target("claimed")),
    "api:order_start": Scoped(WO_GRID_PAIRS, _wo_target("dispatched")),
    "api:order_note": Scoped(WO_GRID_PAIRS, _wo_target("dispatched", {"note": "已到现场"})),
    "api:order_resolve": Scoped(WO_GRID_PAIRS, _wo_target("in_progress_photo", {"note": "已清理"})),
    "api:order_close": Scoped(WO_COMMUNITY_PAIRS, _wo_target("resolved")),
    "api:order_hand_off": Scoped(
        WO_COMMUNITY_PAIRS,
        _wo_target("front_desk", lambda w: {"to_user_id": w.people["street_staff"].pk}),
    ),
    # open311: GeoReport v2 (docs/open311.md). No session: the api_key
    # parameter (a staff account's personal token) decides; the catalog is public.
    "open311:services": Open311(public=True),
    "open311:service_definition": Open311(
        lambda w: Target({"format": "json", "service_code": "sanitation"}), public=True
    ),
    "open311:requests": Open311(
        _open311_case("", lambda w, order: {"service_request_id": order.number}),
        refused=200,  # the list answers, without grid A1a's case
        post_target=_open311_create,
    ),
    "open311:request_detail": Open311(_open311_case("service_request_id")),
    "open311:token": Open311(_open311_case("token")),
    # registry export/events/forms
    "registry:resident_export": Staff("grid_worker", lambda w: {"format": "csv"}),
    "registry:resident_edit": Scoped(REGISTRY_CHANGE_PAIRS, _web_resident_edit),
    "registry:resident_action": Scoped(REGISTRY_CHANGE_PAIRS, _web_resident_action),
    "registry:household_create": Staff(
        "grid_worker", lambda w: {"area": w.city.units["A1a"].pk, "room": "909"}
    ),
    "registry:resident_add": Scoped(REGISTRY_CHANGE_PAIRS, _web_resident_add),
    "registry:household_action": Scoped(REGISTRY_CHANGE_PAIRS, _web_household_action),
    "api:households": Staff("grid_worker"),
    "api:household_detail_route": Scoped(REGISTRY_VIEW_PAIRS, _api_household),
    "api:household_new": Scoped(REGISTRY_CHANGE_PAIRS, _api_household_new),
    "api:resident_new": Scoped(REGISTRY_CHANGE_PAIRS, _api_resident_new),
    "api:household_event_new": Scoped(REGISTRY_CHANGE_PAIRS, _api_household_event),
    "api:household_rental_new": Scoped(REGISTRY_CHANGE_PAIRS, _api_household_rental),
    "api:resident_patch": Scoped(REGISTRY_CHANGE_PAIRS, _api_resident_patch),
    "api:tags": Staff("grid_worker"),
    "api:resident_tag_new": Scoped(REGISTRY_CHANGE_PAIRS, _api_resident_tag_new),
    "api:resident_tag_delete": Scoped(REGISTRY_CHANGE_PAIRS, _api_resident_tag_delete),
    "api:resident_events": Scoped(REGISTRY_VIEW_PAIRS, _api_resident),
    "api:resident_event_new": Scoped(REGISTRY_CHANGE_PAIRS, _api_resident_event),
    "api:residents_filter": Staff("grid_worker", lambda w: {"q": "欧阳"}),
    "api:residents_export": Staff("grid_worker", lambda w: {"format": "csv"}),
}


# Rows kept by each app in tests/security/routes_<app>.py.
_app_routes = app_tables("routes", "ROUTES")
assert not set(_app_routes) & set(ROUTES), sorted(set(_app_routes) & set(ROUTES))
ROUTES.update(_app_routes)


def _url(route: Route, kwargs: dict) -> str:
    return reverse(route.name, kwargs=kwargs or None)


def _placeholder_kwargs(route: Route) -> dict:
    """Ids for anonymous and wrong-role probes: any existing-looking id will do,
    since those callers must be stopped before the object is looked up."""
    names = [part.split(">")[0].split(":")[-1] for part in route.pattern.split("<")[1:]]
    return dict.fromkeys(names, 1)


def _cases(kinds: tuple[type, ...]) -> list:
    cases = []
    for name, spec in ROUTES.items():
        route = DISCOVERED.get(name)
        if route is None or not isinstance(spec, kinds):
            continue
        for method in route.methods:
            cases.append(pytest.param(route, spec, method, id=f"{name}-{method}"))
    return cases


# --------------------------------------------------------------------------
# The table covers every route
# --------------------------------------------------------------------------


def test_every_route_is_in_the_table():
    missing = sorted(set(DISCOVERED) - set(ROUTES))
    assert not missing, (
        f"routes without a row in tests/security/test_route_matrix.py ROUTES: {missing}. "
        "Add each with how to build an in-scope and an out-of-scope object."
    )


def test_the_table_has_no_stale_rows():
    assert sorted(set(ROUTES) - set(DISCOVERED)) == []


def test_discovery_sees_the_api_routes_and_their_methods():
    """The sweep must see inside django-ninja, or it would test nothing there."""
    assert DISCOVERED["api:area_patch"].methods == ("PATCH",)
    assert DISCOVERED["api:area_new"].methods == ("POST",)
    assert DISCOVERED["api:areas"].methods == ("GET",)
    assert DISCOVERED["core:role_grant"].methods == ("POST",)
    assert DISCOVERED["core:area_edit"].methods == ("GET", "POST")
    assert DISCOVERED["core:area_detail"].methods == ALL_METHODS


# --------------------------------------------------------------------------
# (a) anonymous
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "spec", "method"), _cases((LoggedIn, Own, Staff, Scoped)))
def test_anonymous_is_sent_to_login(city, people, route, spec, method):
    before = state()
    response = send(
        client_for(None), method, _url(route, _placeholder_kwargs(route)), {}, api=route.api
    )
    if route.api:
        assert_error_format(response, 401, "unauthenticated")
    else:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(LOGIN_URL)
    assert state() == before


@pytest.mark.parametrize(("route", "spec", "method"), _cases((Public,)))
def test_public_routes_answer_anonymous_without_error(db, route, spec, method):
    response = send(client_for(None), method, _url(route, {}), {}, api=route.api)
    assert response.status_code < 500
    # Logging out an anonymous caller lands on the login page, which is fine.
    if route.name != "core:logout" and not spec.login_in_production:
        assert not response.get("Location", "").startswith(LOGIN_URL)


# --------------------------------------------------------------------------
# (b) volunteers and residents never reach staff routes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["volunteer", "resident"])
@pytest.mark.parametrize(("route", "spec", "method"), _cases((Staff, Scoped)))
def test_volunteer_and_resident_are_refused(city, people, who, route, spec, method):
    world = SimpleNamespace(city=city, people=people)
    if isinstance(spec, Scoped):
        target = spec.target(world)
        allowed = {403, 404}
    else:
        target = Target({}, spec.data(world) if spec.data else {})
        allowed = {403}
    before = state()
    response = send(
        client_for(people[who]), method, _url(route, target.kwargs), target.data, api=route.api
    )
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    if route.api:
        assert_error_format(response)
    if target.secret:
        assert target.secret not in response.content.decode()
    assert state() == before


# --------------------------------------------------------------------------
# (c) in scope: allowed; same kind of actor elsewhere: 404 and nothing changes
# --------------------------------------------------------------------------


def _scoped_cases() -> list:
    cases = []
    for name, spec in ROUTES.items():
        if not isinstance(spec, Scoped) or name not in DISCOVERED:
            continue
        route = DISCOVERED[name]
        for actor, intruder in spec.pairs:
            for method in route.methods:
                cases.append(
                    pytest.param(
                        route, spec, actor, intruder, method, id=f"{name}-{method}-{intruder}"
                    )
                )
    return cases


@pytest.mark.parametrize(("route", "spec", "actor", "intruder", "method"), _scoped_cases())
def test_object_routes_answer_404_outside_scope(city, people, route, spec, actor, intruder, method):
    target = spec.target(SimpleNamespace(city=city, people=people))
    url = _url(route, target.kwargs)

    before = state()
    refused = send(client_for(people[intruder]), method, url, target.data, api=route.api)
    assert refused.status_code == 404, (refused.status_code, refused.content[:300])
    if route.api:
        assert_error_format(refused, 404, "not_found")
    assert target.secret not in refused.content.decode()
    assert state() == before, "an out-of-scope request changed data"

    allowed = send(client_for(people[actor]), method, url, target.data, api=route.api)
    assert 200 <= allowed.status_code < 400, (allowed.status_code, allowed.content[:300])
    if method in spec.changes:
        assert state() != before, f"{actor}'s {method} on {route.name} changed nothing"


def _own_cases() -> list:
    return [
        pytest.param(DISCOVERED[name], spec, method, id=f"{name}-{method}")
        for name, spec in ROUTES.items()
        if isinstance(spec, Own) and name in DISCOVERED
        for method in DISCOVERED[name].methods
    ]


@pytest.mark.parametrize(("route", "spec", "method"), _own_cases())
def test_own_objects_answer_404_to_everyone_else(city, people, route, spec, method):
    token, _plain = token_create(user=people["grid_worker"], name="热线对接")
    url = _url(route, {spec.kwarg: token.pk})
    before = state()
    for other in ("grid_worker_b", "street_staff", "security_admin"):
        refused = send(client_for(people[other]), method, url, {}, api=route.api)
        assert refused.status_code == 404, (other, refused.status_code)
        assert token.prefix not in refused.content.decode()
    assert state() == before
    allowed = send(client_for(people["grid_worker"]), method, url, {}, api=route.api)
    assert 200 <= allowed.status_code < 400
    token.refresh_from_db()
    assert token.revoked_at is not None


# --------------------------------------------------------------------------
# open311: token-authenticated, never by session
# --------------------------------------------------------------------------


def _open311_cases(public: bool) -> list:
    return [
        pytest.param(DISCOVERED[name], spec, method, id=f"{name}-{method}")
        for name, spec in ROUTES.items()
        if isinstance(spec, Open311) and spec.public == public and name in DISCOVERED
        for method in DISCOVERED[name].methods
    ]


def _open311_target(spec: Open311, method: str, world: SimpleNamespace) -> Target:
    if method == "POST" and spec.post_target is not None:
        return spec.post_target(world)
    return spec.target(world) if spec.target else Target({"format": "json"})


def _open311_send(client, method: str, url: str, data: dict, key: str | None = None):
    params = {**data, **({"api_key": key} if key else {})}
    return client.post(url, params) if method == "POST" else client.get(url, params)


def _open311_error(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert body[0]["code"] == status and body[0]["description"]


def _cases_state() -> tuple:
    from shequ.workorders.models import TimelineEntry, WorkOrder

    return (
        list(WorkOrder.objects.order_by("pk").values_list("pk", "state", "version")),
        TimelineEntry.objects.count(),
    )


@pytest.mark.parametrize(("route", "spec", "method"), _open311_cases(public=True))
def test_open311_catalog_answers_anyone(city, people, route, spec, method):
    target = _open311_target(spec, method, SimpleNamespace(city=city, people=people))
    response = _open311_send(client_for(None), method, _url(route, target.kwargs), target.data)
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("who", [None, "street_staff"])
@pytest.mark.parametrize(("route", "spec", "method"), _open311_cases(public=False))
def test_open311_without_api_key_is_403(city, people, who, route, spec, method):
    """Anonymous, and a logged-in session too: cookies are never a credential here."""
    target = _open311_target(spec, method, SimpleNamespace(city=city, people=people))
    before = (state(), _cases_state())
    client = client_for(people[who] if who else None)
    response = _open311_send(client, method, _url(route, target.kwargs), target.data)
    _open311_error(response, 403)
    assert target.secret not in response.content.decode()
    assert (state(), _cases_state()) == before


@pytest.mark.parametrize(("route", "spec", "method"), _open311_cases(public=False))
def test_open311_tokens_outside_scope_are_refused(city, people, route, spec, method):
    target = _open311_target(spec, method, SimpleNamespace(city=city, people=people))
    url = _url(route, target.kwargs)
    for actor, intruder in spec.pairs:
        intruder_key = token_create(user=people[intruder], name="Open311")[1]
        actor_key = token_create(user=people[actor], name="Open311")[1]
        before = (state(), _cases_state())
        refused = _open311_send(client_for(None), method, url, target.data, intruder_key)
        expected = spec.post_refused if method == "POST" else spec.refused
        if expected >= 400:
            _open311_error(refused, expected)
        assert refused.status_code == expected
        assert target.secret not in refused.content.decode()
        assert (state(), _cases_state()) == before, "an out-of-scope request changed data"

        allowed = _open311_send(client_for(None), method, url, target.data, actor_key)
        assert 200 <= allowed.status_code < 300, (allowed.status_code, allowed.content[:300])
        if method == "GET":
            assert target.secret in allowed.content.decode()
        else:
            assert _cases_state() != before[1]


def test_a_role_outside_scope_cannot_be_revoked_even_when_the_user_is_visible(city, people):
    """A user with roles in both streets is visible to street B's security
    administrator, but the street-A role is not theirs to revoke."""
    from shequ.core.services.users import role_grant

    subject = people["grid_worker"]
    role_grant(actor=None, user=subject, role=Role.GRID_WORKER, area=city.grids["B1a"])
    street_a_role = RoleAssignment.objects.get(user=subject, area=city.grids["A1a"])
    before = state()
    client = client_for(people["security_admin_b"])
    assert client.get(f"/users/{subject.pk}/").status_code == 200
    response = client.post(f"/users/{subject.pk}/roles/{street_a_role.pk}/revoke/")
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    ("route", "data_key"),
    [("web", "new_parent"), ("api", "parent_id")],
)
def test_moving_into_another_street_answers_404(city, people, route, data_key):
    """The area is in scope but the destination is not: 404, nothing moves."""
    grid = _movable_grid(SimpleNamespace(city=city))
    before = state()
    client = client_for(people["street_staff"])
    if route == "web":
        response = client.post(f"/areas/{grid.pk}/move/", {data_key: city.communities["B1"].pk})
    else:
        response = send(
            client,
            "POST",
            f"/api/v1/areas/{grid.pk}/move",
            {data_key: city.communities["B1"].pk},
            api=True,
        )
        assert_error_format(response, 404, "not_found")
    assert response.status_code == 404
    assert state() == before


def test_granting_a_role_on_an_area_outside_scope_answers_404(city, people):
    from shequ.core.services.users import role_grant

    subject = people["grid_worker"]
    role_grant(
        actor=None, user=subject, role=Role.GRID_WORKER, area=city.grids["B1a"]
    )  # visible in street B
    before = state()
    response = client_for(people["security_admin_b"]).post(
        f"/users/{subject.pk}/roles/", {"role": Role.BUILDING_TEAM, "area": city.grids["A1a"].pk}
    )
    assert response.status_code == 404
    assert state() == before


def test_creating_under_a_parent_outside_scope_answers_404(city, people):
    before = state()
    body = {"parent_id": city.grids["B1a"].pk, "level": "estate", "code": "E9", "name": "越界小区"}
    response = send(client_for(people["street_staff"]), "POST", "/api/v1/areas", body, api=True)
    assert_error_format(response, 404, "not_found")
    assert state() == before


# --------------------------------------------------------------------------
# A street administrator reaches every grid of their street, nothing of the other
# --------------------------------------------------------------------------


@pytest.mark.parametrize("staff", ["street_staff", "street_staff_b"])
def test_street_staff_reach_every_grid_of_their_street_and_none_of_the_other(city, people, staff):
    own = "A" if staff == "street_staff" else "B"
    client = client_for(people[staff])
    for key, grid in city.grids.items():
        expected = 200 if key.startswith(own) else 404
        unit = city.units[key]
        for url in (
            f"/areas/{grid.pk}/",
            f"/api/v1/areas/{grid.pk}",
            f"/api/v1/areas/{grid.pk}/counts",
            f"/areas/{unit.pk}/",
            f"/api/v1/areas/{unit.pk}",
        ):
            assert client.get(url).status_code == expected, (staff, key, url)


# --------------------------------------------------------------------------
# (d) lists and searches return only what is in scope
# --------------------------------------------------------------------------

LIST_ACTORS = [
    "grid_worker",
    "grid_worker_b",
    "street_staff",
    "street_staff_b",
    "community_worker",
    "district_staff",
]


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top + ".")


def _expected_area_ids(user: User) -> set[int]:
    """Computed from the user's role areas directly, not through the scoping code."""
    tops = [a.area_path for a in user.roles.all()]
    return {a.pk for a in Area.objects.all() if any(_within(a.path, top) for top in tops)}


def _api_ids(client, path: str, params: dict | None = None) -> set[int]:
    response = client.get(path, {"page_size": 200, **(params or {})})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == len(body["items"])  # one page holds it all here
    return {item["id"] for item in body["items"]}


@pytest.mark.parametrize("who", LIST_ACTORS)
def test_area_lists_and_searches_stay_in_scope(city, people, who):
    user = people[who]
    scope = _expected_area_ids(user)
    assert scope and len(scope) < Area.objects.count() or who == "district_staff"
    client = client_for(user)
    assert _api_ids(client, "/api/v1/areas") == scope
    for query in ("网格", "街道", "社区", "1号楼", "001", "002", "Ga", "B1a", "A1b"):
        web = {a.pk for a in client.get("/areas/", {"q": query}).context["areas"]}
        api = _api_ids(client, "/api/v1/areas", {"q": query})
        assert web <= scope, (who, query)
        assert api <= scope, (who, query)
        expected = {
            a.pk for a in Area.objects.filter(pk__in=scope) if query in a.name or a.code == query
        }
        assert api == expected, (who, query)


@pytest.mark.parametrize(
    ("who", "method", "url", "data"),
    [
        ("street_staff", "GET", "/areas/", {"q": "A1\x00"}),
        ("street_staff", "GET", "/users/", {"q": "\x00grid"}),
        ("city_admin", "POST", "/users/{worker}/active/", {"active": "0", "reason": "离职\x00"}),
        ("auditor", "GET", "/audit/", {"actor": "grid\x00"}),
        ("auditor", "GET", "/audit/export/", {"actor": "grid\x00"}),
    ],
    ids=["area-search", "user-search", "disable-reason", "audit-filter", "audit-export-filter"],
)
def test_web_inputs_with_nul_characters_are_no_server_error(city, people, who, method, url, data):
    """PostgreSQL cannot store or compare NUL; a stray one is dropped or refused, never a 500."""
    client = client_for(people[who], raise_request_exception=False)
    response = send(client, method, url.format(worker=people["grid_worker"].pk), data, api=False)
    assert response.status_code in (200, 302, 400), response.status_code


def test_grid_worker_sees_exactly_their_grid_and_below(city, people):
    client = client_for(people["grid_worker"])
    grid = city.grids["A1a"]
    expected = {grid.pk, city.estates["A1a"].pk, city.buildings["A1a"].pk, city.units["A1a"].pk}
    assert _api_ids(client, "/api/v1/areas") == expected
    assert {a.pk for a in client.get("/areas/", {"q": "网格"}).context["areas"]} == {grid.pk}


@pytest.mark.parametrize(
    "who",
    ["grid_worker", "grid_worker_b", "community_worker", "community_worker_b", "street_staff_b"],
)
def test_resident_lists_and_searches_stay_in_scope(city, people, who):
    from shequ.registry.models import Resident
    from shequ.registry.tests.factories import make_household, make_resident

    for key in ("A1a", "A1b", "A2a", "B1a"):
        make_resident(make_household(city.units[key]), name=f"欧阳{key}")
    user = people[who]
    tops = [a.area_path for a in user.roles.all()]
    expected = {
        r.pk for r in Resident.objects.all() if any(_within(r.area_path, top) for top in tops)
    }
    assert expected, "each actor has a resident in scope"
    client = client_for(user)
    assert _api_ids(client, "/api/v1/registry/residents") == expected
    for query in ("欧阳", "ouyang", "oy", "欧阳B1a"):
        assert _api_ids(client, "/api/v1/registry/residents", {"q": query}) <= expected
        found = client.post(
            "/api/v1/registry/residents/search?page_size=200",
            {"q": query},
            content_type="application/json",
        )
        assert {item["id"] for item in found.json()["items"]} <= expected
        page = client.post("/registry/residents/", {"q": query}).context["page"]
        assert {r.pk for r in page} <= expected
    for params in WIDENING_PARAMS[:6]:
        response = client.get("/api/v1/registry/residents", {"page_size": 200, **params})
        if response.status_code == 200:
            assert {i["id"] for i in response.json()["items"]} == expected, params


@pytest.mark.parametrize(
    ("who", "kind", "key"),
    [
        ("street_staff", "streets", "B"),
        ("grid_worker", "grids", "A1b"),
        ("community_worker", "communities", "A2"),
    ],
)
def test_listing_children_of_an_area_outside_scope_answers_404(city, people, who, kind, key):
    other = getattr(city, kind)[key]
    response = client_for(people[who]).get("/api/v1/areas", {"parent_id": other.pk})
    assert_error_format(response, 404, "not_found")
    assert other.name not in response.content.decode()


@pytest.mark.parametrize(
    "who", ["street_staff", "street_staff_b", "district_staff", "community_worker"]
)
def test_user_list_stays_in_scope(city, people, who):
    actor = people[who]
    tops = [a.area_path for a in actor.roles.all()]
    expected = {
        u.pk
        for u in User.objects.prefetch_related("roles")
        if any(_within(r.area_path, top) for r in u.roles.all() for top in tops)
    }
    client = client_for(actor)
    assert {u.pk for u in client.get("/users/").context["users"]} == expected
    for query in ("grid", "street", "_b", "admin", "auditor"):
        found = {u.pk for u in client.get("/users/", {"q": query}).context["users"]}
        assert found <= expected, (who, query)


def _street_b_only(city, entry_ids) -> None:
    from shequ.core.models import AuditEntry

    street_b = city.streets["B"].path
    paths = list(AuditEntry.objects.filter(pk__in=entry_ids).values_list("area_path", flat=True))
    assert all(_within(p, street_b) for p in paths), paths


def test_street_b_auditor_reads_only_street_b_audit_lines(city, people):
    """Audit lines carry the area path; an auditor of one street reads only those."""
    client = client_for(people["auditor_b"])
    items = client.get("/api/v1/audit", {"page_size": 200}).json()["items"]
    assert items, "street B has audit lines (its areas and role grants)"
    _street_b_only(city, [i["id"] for i in items])
    _street_b_only(city, [e.pk for e in client.get("/audit/").context["entries"]])


# --------------------------------------------------------------------------
# (e) ordering and unknown filters do not widen results
# --------------------------------------------------------------------------

WIDENING_PARAMS = [
    {"ordering": "-id"},
    {"ordering": "path"},
    {"ordering": "password"},
    {"path__startswith": "210200"},
    {"path": "210200"},
    {"parent__path__startswith": "210200.210202.002"},
    {"area_path": ""},
    {"scope": "all"},
    {"actor": "city_admin"},
    {"level": "grid", "ordering": "-path", "path__startswith": "210200"},
    {"q": "", "limit": "100000", "offset": "0"},
]


@pytest.mark.parametrize(
    "params", WIDENING_PARAMS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
@pytest.mark.parametrize("who", ["grid_worker", "street_staff"])
def test_unknown_filters_and_ordering_do_not_widen_the_api_list(city, people, who, params):
    user = people[who]
    client = client_for(user)
    baseline = _api_ids(
        client, "/api/v1/areas", {k: v for k, v in params.items() if k in ("level", "q")}
    )
    response = client.get("/api/v1/areas", {"page_size": 200, **params})
    if response.status_code == 400:
        assert_error_format(response, 400)
        return
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == baseline
    assert ids <= _expected_area_ids(user)


@pytest.mark.parametrize(
    "params", [{"ordering": "-id"}, {"area_path": ""}, {"scope": "all", "since": "2000-01-01"}]
)
def test_unknown_filters_do_not_widen_the_audit_list(city, people, params):
    client = client_for(people["auditor_b"])
    baseline = {i["id"] for i in client.get("/api/v1/audit", {"page_size": 200}).json()["items"]}
    got = client.get("/api/v1/audit", {"page_size": 200, **params})
    if got.status_code == 400:
        assert_error_format(got, 400)
        return
    assert got.status_code == 200
    ids = {i["id"] for i in got.json()["items"]}
    assert ids == baseline
    _street_b_only(city, ids)
