from django.urls import path

from shequ.core import views
from shequ.core.auth import views as auth_views
from shequ.core.notifications import views as inbox_views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.login_view, name="login"),
    path("accounts/logout/", auth_views.logout_view, name="logout"),
    path("accounts/2fa/", auth_views.otp_view, name="otp"),
    path("accounts/password/", auth_views.password_change_view, name="password_change"),
    path("accounts/tokens/", views.token_list, name="token_list"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/read-all/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox_views.inbox_read, name="inbox_read"),
    path("areas/", views.area_browser, name="area_browser"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("areas/<int:pk>/new/", views.area_create_view, name="area_create"),
    path("areas/<int:pk>/edit/", views.area_edit_view, name="area_edit"),
    path("areas/<int:pk>/move/", views.area_move_view, name="area_move"),
    path("users/", views.user_list_view, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views.role_grant_view, name="role_grant"),
    path("users/<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke_view, name="role_revoke"),
    path("users/<int:pk>/active/", views.user_active_view, name="user_active"),
    path("users/<int:pk>/reset/", views.password_reset_view, name="password_reset"),
    path("users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("users/<int:pk>/edit/", views.user_edit_view, name="user_edit"),
    path("users/<int:pk>/otp-reset/", views.otp_reset_view, name="otp_reset"),
    path("approvals/", views.approval_list_view, name="approval_list"),
    path("approvals/<int:pk>/decide/", views.approval_decide_view, name="approval_decide"),
    path("audit/", views.audit_list_view, name="audit_list"),
    path("audit/export/", views.audit_export_view, name="audit_export"),
]
