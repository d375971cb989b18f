from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Grid workers' day on a phone: visits, work logs, instructions, outposts."""

    name = "shequ.field"
    label = "field"
    verbose_name = _("网格员掌上工作")

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.roles import Role, grant
        from shequ.field import models, selectors
        from shequ.field.choices import Action
        from shequ.field.demo import demo_field

        for role in (
            Role.GRID_WORKER,
            Role.BUILDING_TEAM,
            Role.COMMUNITY_WORKER,
            Role.STREET_STAFF,
            Role.DISTRICT_STAFF,
        ):
            grant(role, Action.VIEW)
        for role in (Role.GRID_WORKER, Role.BUILDING_TEAM):
            grant(role, Action.VISIT)
        grant(Role.COMMUNITY_WORKER, Action.APPROVE)
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF):
            grant(role, Action.INSTRUCT)
        for role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.STREET_STAFF):
            grant(role, Action.OUTPOST)

        for model in (
            models.Visit,
            models.VisitPhoto,
            models.Need,
            models.LedgerChangeProposal,
            models.Instruction,
            models.InstructionAssignment,
            models.WorkLogNote,
            models.WorkLogComment,
            models.FieldReport,
            models.Outpost,
            models.OutpostService,
        ):
            registry.register_path_carrier(model, "area_path")
        registry.register_menu_entry(
            registry.MenuEntry(
                _("掌上工作"),
                "field:today",
                Action.VISIT,
                order=15,
                group=registry.GRID_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("走访覆盖"),
                "field:coverage",
                Action.VIEW,
                order=40,
                group=registry.GRID_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("台账变更审核"),
                "field:proposals",
                Action.APPROVE,
                order=41,
                group=registry.LEDGER_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("工作指令"),
                "field:instructions",
                Action.INSTRUCT,
                order=42,
                group=registry.GRID_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("驻点服务"),
                "field:outposts",
                Action.OUTPOST,
                order=43,
                group=registry.GRID_GROUP,
            )
        )
        registry.register_home_panel(
            registry.HomePanel(
                "field/panels/today.html",
                Action.VISIT,
                order=10,
                context=lambda request: selectors.today_panel(actor=request.user),
                roles=frozenset({Role.GRID_WORKER, Role.BUILDING_TEAM}),
            )
        )
        registry.register_home_panel(
            registry.HomePanel(
                "field/panels/review.html",
                Action.APPROVE,
                order=40,
                context=lambda request: selectors.review_panel(actor=request.user),
            )
        )
        registry.register_demo_step(registry.DemoStep(order=40, name="field", run=demo_field))
