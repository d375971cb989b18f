"""Route table rows of the work-order flow features (merged into
test_route_matrix.ROUTES): whistle calls, pausing the clocks, merging
near-duplicates, the handler's queue, the front desk, guidance templates, the
catalog, the hotline import and push, the public tracking page, and the
inbox. Cases live in grid A1a; the community worker of A2 (or the grid
worker of A1b) gets 404 and changes nothing. (``state()`` does not watch
work orders, so these rows declare no ``changes``; what each POST changes is
asserted in shequ/workorders/tests, and its audit line in audit_workorders.)"""

from __future__ import annotations

from tests.security.specs import LoggedIn, Public, Scoped, Staff, Target

SECRET = "欧阳家楼道堆物"
COMMUNITY = (("community_worker", "community_worker_b"),)
GRID = (("grid_worker", "grid_worker_b"),)
# A handler of the summoned department answers; a grid worker of another grid
# cannot even see the case.
DEPARTMENT = (("department_handler", "grid_worker_b"),)


def case(w, **extra):
    """A case reported by grid A1a's worker (one "create" audit line only)."""
    from shequ.workorders.tests.factories import make_order

    return make_order(w.city.units["A1a"], w.people["grid_worker"], title=SECRET, **extra)


def department(w):
    from shequ.workorders.models import Department

    found, _ = Department.objects.get_or_create(district=w.city.district, name="城市管理综合执法局")
    found.handlers.add(w.people["department_handler"])
    return found


def whistle_call(w):
    """A pending call to the department, made without service or audit line."""
    from datetime import timedelta

    from django.utils import timezone

    from shequ.workorders.models import WhistleCall

    order = case(w)
    return WhistleCall.objects.create(
        order=order,
        department=department(w),
        area_path=order.area_path,
        acknowledge_by=timezone.now() + timedelta(hours=2),
    )


def paused(w):
    from django.utils import timezone

    from shequ.workorders.models import WorkOrder

    order = case(w)
    WorkOrder.objects.filter(pk=order.pk).update(paused_at=timezone.now(), pause_reason="等居民")
    return order


def _case_target(data=None, web=False, build=case):
    def target(w) -> Target:
        order = build(w)
        kwargs = {"pk": order.pk} if web else {"order_id": order.pk}
        return Target(kwargs, data(w) if callable(data) else dict(data or {}), secret=SECRET)

    return target


def _whistle(web):
    def data(w):
        key = "departments" if web else "department_ids"
        return {key: [department(w).pk], "note": "请报到"}

    return _case_target(data, web=web)


def _answer(step, web):
    def target(w) -> Target:
        call = whistle_call(w)
        if web:
            return Target({"pk": call.pk, "step": step}, {"report": "已处置"}, secret=SECRET)
        return Target({"call_id": call.pk}, {"report": "已处置"}, secret=SECRET)

    return target


def _merge(web):
    def target(w) -> Target:
        kept, duplicate = case(w), case(w)
        kwargs = {"pk": duplicate.pk} if web else {"order_id": duplicate.pk}
        data = {"kept": kept.pk} if web else {"kept_id": kept.pk}
        return Target(kwargs, data, secret=SECRET)

    return target


def reception_data(w):
    return {"area": w.city.communities["A1"].pk, "subject": "咨询高龄津贴", "outcome": "consulted"}


def guidance_data(w):
    return {"title": "邻里漏水", "body": "请先与楼上住户协商，可申请调解。", "is_active": "on"}


def category_data(w):
    return {
        "code": "graffiti",
        "name": "小广告",
        "default_triage": "minor",
        "default_handler": "grid",
        "response_hours": 8,
        "resolution_hours": 48,
        "is_active": "on",
        "order": 100,
    }


def department_data(w):
    return {"name": "生态环境局", "district": w.city.district.pk, "is_active": "on"}


def hotline_data(w):
    return {
        "ticket_number": "12345-0001",
        "category": "noise",
        "area_id": w.city.grids["A1a"].pk,
        "description": "广场舞音响过大",
    }


ROUTES = {
    # Web
    "workorders:waiting": LoggedIn("only cases assigned to the caller or their department"),
    "workorders:track": Public("a case number and its tracking code; public fields; rate-limited"),
    "workorders:order_whistle": Scoped(COMMUNITY, _whistle(web=True)),
    "workorders:whistle_answer": Scoped(DEPARTMENT, _answer("report", web=True)),
    "workorders:order_merge": Scoped(COMMUNITY, _merge(web=True)),
    "workorders:reception": Staff("community_worker", reception_data, mutates=True),
    "workorders:hotline_import": Staff("street_staff"),
    "workorders:guidance_list": Staff("community_worker"),
    "workorders:guidance_edit": Staff("community_worker", guidance_data, mutates=True),
    "workorders:catalog": Staff("district_staff"),
    "workorders:category_edit": Staff("district_staff", category_data, mutates=True),
    "workorders:department_edit": Staff("district_staff", department_data, mutates=True),
    # API
    "api:orders_waiting": LoggedIn("only cases assigned to the caller or their department"),
    "api:notification_list": LoggedIn("the caller's own messages"),
    "api:notification_read": LoggedIn("only the caller's own message; others 404"),
    "api:hotline_ticket_push": Staff("street_staff", hotline_data, mutates=True),
    "api:order_whistles": Scoped(GRID, _case_target()),
    "api:order_whistle": Scoped(COMMUNITY, _whistle(web=False)),
    "api:whistle_ack": Scoped(DEPARTMENT, _answer("acknowledge", web=False)),
    "api:whistle_feedback": Scoped(DEPARTMENT, _answer("report", web=False)),
    "api:order_pause": Scoped(COMMUNITY, _case_target({"reason": "等居民回家"})),
    "api:order_resume": Scoped(COMMUNITY, _case_target(build=paused)),
    "api:order_duplicates": Scoped(GRID, _case_target()),
    "api:order_merge": Scoped(COMMUNITY, _merge(web=False)),
}
