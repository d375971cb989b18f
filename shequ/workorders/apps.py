from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    """One engine for every tracked case: incidents, service orders, hotline tickets."""

    name = "shequ.workorders"
    label = "workorders"
    verbose_name = _("工单")

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.roles import Role, grant
        from shequ.workorders.choices import OPEN_STATES, Action
        from shequ.workorders.demo import demo_workorders
        from shequ.workorders.models import Attachment, WorkOrder
        from shequ.workorders.selectors import queue_summary

        for role in (Role.GRID_WORKER, Role.BUILDING_TEAM, Role.RESIDENT, Role.COMMUNITY_WORKER):
            grant(role, Action.REPORT)
        for role in (
            Role.GRID_WORKER,
            Role.COMMUNITY_WORKER,
            Role.STREET_STAFF,
            Role.DISTRICT_STAFF,
        ):
            grant(role, Action.VIEW)
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF):
            grant(role, Action.TRIAGE, Action.DISPATCH)
        for role in (Role.PARTY_MEMBER, Role.VOLUNTEER):
            grant(role, Action.CLAIM)
        for role in (Role.GRID_WORKER, Role.DEPARTMENT_HANDLER, Role.PARTY_MEMBER, Role.VOLUNTEER):
            grant(role, Action.HANDLE)
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF):
            grant(role, Action.WHISTLE, Action.MERGE)
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.GRID_WORKER):
            grant(role, Action.RECEPTION)
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_STAFF):
            grant(role, Action.GUIDANCE)
        for role in (Role.CITY_ADMIN, Role.DISTRICT_STAFF):
            grant(role, Action.CONFIGURE)
        for role in (Role.STREET_STAFF, Role.DISTRICT_STAFF):
            # 12345 tickets reach the street office: it takes them in as cases.
            grant(role, Action.HOTLINE_IMPORT, Action.REPORT)

        registry.register_path_carrier(WorkOrder, "area_path")
        registry.register_path_carrier(Attachment, "area_path")
        registry.register_area_counter(
            registry.AreaCounter(
                key="workorders",
                label=_("工单"),
                model=WorkOrder,
                path_field="area_path",
                filters={"state__in": sorted(OPEN_STATES)},
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("工单"),
                "workorders:order_list",
                Action.VIEW,
                order=30,
                group=registry.WORKORDERS_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("我的诉求"),
                "workorders:my_orders",
                Action.REPORT,
                order=31,
                group=registry.WORKORDERS_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("认领服务单"),
                "workorders:pool",
                Action.CLAIM,
                order=32,
                group=registry.WORKORDERS_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("待我处理"),
                "workorders:waiting",
                Action.HANDLE,
                order=33,
                group=registry.WORKORDERS_GROUP,
            )
        )
        for label, url_name, action, order in (
            (_("窗口接待"), "workorders:reception", Action.RECEPTION, 34),
            (_("热线导入"), "workorders:hotline_import", Action.HOTLINE_IMPORT, 36),
            (_("私事指导模板"), "workorders:guidance_list", Action.GUIDANCE, 37),
            (_("类别与部门"), "workorders:catalog", Action.CONFIGURE, 38),
        ):
            registry.register_menu_entry(
                registry.MenuEntry(
                    label, url_name, action, order=order, group=registry.WORKORDERS_GROUP
                )
            )
        registry.register_home_panel(
            registry.HomePanel(
                "workorders/panels/queue.html",
                Action.VIEW,
                order=20,
                context=lambda request: {"workorders": queue_summary(actor=request.user)},
            )
        )
        registry.register_home_panel(
            registry.HomePanel(
                "workorders/panels/pool.html",
                Action.CLAIM,
                order=21,
                context=lambda request: {"workorders": queue_summary(actor=request.user)},
                # The roles' own notes stay: they promise activities, hours and
                # monthly service reports too, which other modules will bring.
            )
        )
        registry.register_demo_step(
            registry.DemoStep(order=20, name="workorders", run=demo_workorders)
        )
