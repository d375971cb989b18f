"""Staff console views. Thin: parse, call a selector or service, render."""

from shequ.core.views.areas import (
    area_browser,
    area_create_view,
    area_detail,
    area_edit_view,
    area_move_view,
)
from shequ.core.views.audit import audit_export_view, audit_list_view
from shequ.core.views.home import home
from shequ.core.views.tokens import token_list, token_revoke_view
from shequ.core.views.users import (
    approval_decide_view,
    approval_list_view,
    otp_reset_view,
    password_reset_view,
    role_grant_view,
    role_revoke_view,
    user_active_view,
    user_create_view,
    user_detail,
    user_edit_view,
    user_list_view,
    user_unlock_view,
)

__all__ = [
    "approval_decide_view",
    "approval_list_view",
    "area_browser",
    "area_create_view",
    "area_detail",
    "area_edit_view",
    "area_move_view",
    "audit_export_view",
    "audit_list_view",
    "home",
    "otp_reset_view",
    "user_edit_view",
    "password_reset_view",
    "role_grant_view",
    "role_revoke_view",
    "token_list",
    "token_revoke_view",
    "user_active_view",
    "user_create_view",
    "user_detail",
    "user_list_view",
    "user_unlock_view",
]
