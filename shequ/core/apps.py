from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from shequ.core import (
            checks,  # noqa: F401  (registers system checks)
            registry,
        )
        from shequ.core.auth import events
        from shequ.core.models import ApprovalRequest, RoleAssignment
        from shequ.core.notifications.menu import INBOX, inbox_label
        from shequ.core.roles import Action, Role, grant
        from shequ.core.views import panels

        events.connect()
        panels.register()
        for role in Role:  # every user has an inbox
            grant(role, INBOX)
        registry.register_path_carrier(RoleAssignment, "area_path")
        registry.register_path_carrier(ApprovalRequest, "area_path")
        for entry in (
            registry.MenuEntry(inbox_label(), "core:inbox", INBOX, order=5),
            registry.MenuEntry(
                _("区域"),
                "core:area_browser",
                Action.AREA_VIEW,
                order=10,
                group=registry.GRID_GROUP,
            ),
            registry.MenuEntry(
                _("用户与角色"),
                "core:user_list",
                Action.USER_VIEW,
                order=80,
                group=registry.ADMIN_GROUP,
            ),
            registry.MenuEntry(
                _("授权审批"),
                "core:approval_list",
                Action.ROLE_MANAGE,
                order=85,
                group=registry.ADMIN_GROUP,
            ),
            registry.MenuEntry(
                _("审计日志"),
                "core:audit_list",
                Action.AUDIT_VIEW,
                order=90,
                group=registry.ADMIN_GROUP,
            ),
        ):
            registry.register_menu_entry(entry)
