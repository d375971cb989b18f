from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Work-order statistics kept current by the engine's ``transitioned``
    signal (not recounted on each view), the statistics page, its API and export."""

    name = "shequ.dashboard"
    label = "dashboard"
    verbose_name = _("统计")

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.roles import Role, grant
        from shequ.dashboard.demo import demo_dashboard
        from shequ.dashboard.models import CaseCounter, MonthCounter
        from shequ.dashboard.selectors import panel_summary
        from shequ.dashboard.services import VIEW, connect

        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_STAFF):
            grant(role, VIEW)
        connect()
        registry.register_path_carrier(CaseCounter, "area_path")
        registry.register_path_carrier(MonthCounter, "area_path")
        registry.register_menu_entry(
            registry.MenuEntry(
                _("工单统计"),
                "dashboard:stats",
                VIEW,
                order=35,
                group=registry.WORKORDERS_GROUP,
            )
        )
        registry.register_home_panel(
            registry.HomePanel(
                "dashboard/panels/summary.html",
                VIEW,
                order=25,
                context=lambda request: {"stats": panel_summary(actor=request.user)},
            )
        )
        registry.register_demo_step(
            registry.DemoStep(order=90, name="dashboard", run=demo_dashboard)
        )
