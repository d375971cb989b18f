from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteers, embedded party members, groups, activities, hours, stars, points."""

    name = "shequ.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.roles import Role, grant
        from shequ.volunteers import models
        from shequ.volunteers.choices import Action
        from shequ.volunteers.demo import demo_volunteers
        from shequ.volunteers.services.hours import on_transition
        from shequ.workorders.signals import transitioned

        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_STAFF):
            grant(role, Action.VIEW)
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF):
            grant(role, Action.MANAGE)
        for role in (Role.PARTY_MEMBER, Role.VOLUNTEER, Role.BUILDING_TEAM):
            grant(role, Action.SERVE)
        grant(Role.CITY_ADMIN, Action.CONFIGURE)

        for model in (
            models.Volunteer,
            models.PartyMember,
            models.Organization,
            models.SocialWorker,
            models.Group,
            models.BuildingTeamMember,
            models.CharityResource,
            models.Activity,
            models.SignUp,
            models.ServiceRecord,
            models.Reward,
            models.Redemption,
            models.PointEntry,
        ):
            registry.register_path_carrier(model, "area_path")
        registry.register_area_counter(
            registry.AreaCounter(
                key="volunteers", label=_("志愿者"), model=models.Volunteer, path_field="area_path"
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("志愿服务"),
                "volunteers:dashboard",
                Action.VIEW,
                order=40,
                group=registry.VOLUNTEERS_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("我的志愿服务"),
                "volunteers:me",
                Action.SERVE,
                order=41,
                group=registry.VOLUNTEERS_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("志愿服务规则"),
                "volunteers:rules",
                Action.CONFIGURE,
                order=42,
                group=registry.VOLUNTEERS_GROUP,
            )
        )
        registry.register_home_panel(
            registry.HomePanel(
                "volunteers/panels/me.html",
                Action.SERVE,
                order=22,
                context=_my_panel,
                # The roles' generic note stays until core's home test is
                # updated (shequ/core/tests/test_home.py); see the report.
            )
        )
        registry.register_demo_step(
            registry.DemoStep(order=30, name="volunteers", run=demo_volunteers)
        )
        transitioned.connect(on_transition, dispatch_uid="volunteers.order_hours")


def _my_panel(request) -> dict:
    from shequ.volunteers.selectors import star_for
    from shequ.volunteers.services import volunteer_for

    volunteer = volunteer_for(request.user)
    return {
        "volunteer": volunteer,
        "star": star_for(volunteer.hours_total) if volunteer else None,
    }
