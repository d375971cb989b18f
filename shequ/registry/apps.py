from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The household and resident ledger (数字化底账)."""

    name = "shequ.registry"
    label = "registry"
    verbose_name = _("居民台账")

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.roles import Role, grant
        from shequ.registry.choices import Action
        from shequ.registry.demo import demo_registry
        from shequ.registry.models import Household, ImportJob, LifeEvent, Rental, Resident
        from shequ.registry.selectors import ledger_summary
        from shequ.registry.services_events import RESTORE

        for role in (
            Role.GRID_WORKER,
            Role.BUILDING_TEAM,
            Role.COMMUNITY_WORKER,
            Role.STREET_STAFF,
            Role.DISTRICT_STAFF,
        ):
            grant(role, Action.VIEW)
        grant(Role.GRID_WORKER, Action.CHANGE)
        grant(Role.COMMUNITY_WORKER, Action.CHANGE, Action.REVEAL)
        # Bringing back a removed, moved-out or deceased record is community staff's call.
        grant(Role.COMMUNITY_WORKER, RESTORE)
        # Moving a person to or from another community (services_transfer.py) too.
        grant(Role.COMMUNITY_WORKER, Action.TRANSFER)
        # A full (unmasked) export: one of these asks, another approves (full_export.py).
        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_STAFF):
            grant(role, Action.EXPORT_FULL)
        from shequ.core.services.approvals import register_approval_kind
        from shequ.registry.full_export import KIND as FULL_EXPORT

        register_approval_kind(FULL_EXPORT, action=Action.EXPORT_FULL)
        # Security labels (labels.py): community, street and district staff hold
        # every clearance; a grid worker only disability (visits depend on it).
        from shequ.registry.labels import CLEARANCE

        for role in (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_STAFF):
            grant(role, *CLEARANCE.values())
        grant(Role.GRID_WORKER, CLEARANCE["disability"])

        registry.register_path_carrier(Household, "area_path")
        registry.register_path_carrier(Resident, "area_path")
        registry.register_path_carrier(Rental, "area_path")
        registry.register_path_carrier(LifeEvent, "area_path")
        registry.register_path_carrier(ImportJob, "area_path")
        from shequ.registry.models import ResidentTransfer

        registry.register_path_carrier(ResidentTransfer, "from_path")
        registry.register_path_carrier(ResidentTransfer, "to_path")
        live = {"removed_at__isnull": True}
        registry.register_area_counter(
            registry.AreaCounter(
                key="households",
                label=_("户数"),
                model=Household,
                path_field="area_path",
                filters=live,
            )
        )
        registry.register_area_counter(
            registry.AreaCounter(
                key="residents",
                label=_("居民人数"),
                model=Resident,
                path_field="area_path",
                filters=live,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("居民台账"),
                "registry:resident_list",
                Action.VIEW,
                order=20,
                group=registry.LEDGER_GROUP,
            )
        )
        registry.register_menu_entry(
            registry.MenuEntry(
                _("跨社区迁移"),
                "registry:transfer_list",
                Action.TRANSFER,
                order=21,
                group=registry.LEDGER_GROUP,
            )
        )
        registry.register_home_panel(
            registry.HomePanel(
                "registry/panels/ledger.html",
                Action.VIEW,
                order=30,
                context=lambda request: ledger_summary(actor=request.user),
            )
        )
        registry.register_demo_step(registry.DemoStep(order=10, name="registry", run=demo_registry))
