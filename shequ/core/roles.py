"""What each role may do: the one place that says so.

A role is held on an area (``RoleAssignment``) and its actions reach that area
and everything below it. Domain apps add their own actions in
``AppConfig.ready()`` through :func:`grant`, so this module stays the single
table a reviewer reads. ``shequ.core.scoping`` is the one function that turns
this table plus a user's assignments into what the user may see.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT_STAFF = "district_staff", _("区级工作人员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPARTMENT_HANDLER = "department_handler", _("部门处置人员")
    BUILDING_TEAM = "building_team", _("楼长/信息员/保障员")
    PARTY_MEMBER = "party_member", _("下沉党员")
    VOLUNTEER = "volunteer", _("志愿者")
    RESIDENT = "resident", _("居民")
    AUDITOR = "auditor", _("审计管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")


# 三权分立: no user holds two of these.
SEPARATED_ROLES = frozenset({Role.CITY_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN})

# Roles that work in the staff console (stricter passwords, rotation).
STAFF_ROLES = frozenset(
    {
        Role.CITY_ADMIN,
        Role.DISTRICT_STAFF,
        Role.STREET_STAFF,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.DEPARTMENT_HANDLER,
        Role.AUDITOR,
        Role.SECURITY_ADMIN,
    }
)


class Action:
    """Core's actions. Apps declare theirs as plain strings "<app>.<verb>"."""

    AREA_VIEW = "area.view"
    AREA_CHANGE = "area.change"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"  # create, edit, disable accounts
    ROLE_MANAGE = "role.manage"  # grant and revoke roles, unlock accounts
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"


_GOVERNANCE_STAFF = {Action.AREA_VIEW, Action.USER_VIEW}

ROLE_ACTIONS: dict[str, set[str]] = {
    # The system administrator runs the platform: the tree, accounts, catalogs.
    # It neither grants roles nor reads the audit log (三权分立).
    Role.CITY_ADMIN: {Action.AREA_VIEW, Action.AREA_CHANGE, Action.USER_VIEW, Action.USER_MANAGE},
    Role.DISTRICT_STAFF: set(_GOVERNANCE_STAFF),
    Role.STREET_STAFF: _GOVERNANCE_STAFF | {Action.AREA_CHANGE},
    Role.COMMUNITY_WORKER: _GOVERNANCE_STAFF | {Action.AREA_CHANGE},
    Role.GRID_WORKER: {Action.AREA_VIEW},
    Role.DEPARTMENT_HANDLER: set(),
    Role.BUILDING_TEAM: {Action.AREA_VIEW},
    Role.PARTY_MEMBER: set(),
    Role.VOLUNTEER: set(),
    Role.RESIDENT: set(),
    # The auditor reads and exports the audit log and changes nothing.
    Role.AUDITOR: {Action.AUDIT_VIEW, Action.AUDIT_EXPORT},
    # The security administrator grants roles and unlocks accounts.
    Role.SECURITY_ADMIN: {Action.USER_VIEW, Action.ROLE_MANAGE},
}

# Actions that change data; the auditor may never hold one (checked at start-up).
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def grant(role: str, *actions: str) -> None:
    """Let ``role`` perform ``actions``; apps call this from ``ready()``."""
    ROLE_ACTIONS[role].update(actions)


def roles_with(action: str) -> set[str]:
    return {role for role, actions in ROLE_ACTIONS.items() if action in actions}
