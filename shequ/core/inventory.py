"""Core's entries in the data inventory, and the third-party apps' (SECURITY.md
row 24). The format and the check are in :mod:`shequ.core.checks`."""

from shequ.core.checks import fields

DATA_INVENTORY = {
    "core.Area": {
        **fields(
            "general",
            "config",
            "区域树（市、区、街道、社区、网格、楼栋、单元）",
            "id parent level code name path depth created_at updated_at",
        ),
    },
    "core.User": {
        **fields("general", "account", "账号标识与状态", "id username kind is_active is_staff"),
        **fields(
            "general", "account", "未使用的 Django 默认字段", "is_superuser first_name last_name"
        ),
        **fields("personal", "account", "工作人员姓名", "full_name"),
        **fields("personal", "account", "联系与找回账号", "mobile email"),
        **fields(
            "general",
            "account",
            "口令（Argon2 哈希）与会话控制",
            "password last_login date_joined must_change_password password_changed_at "
            "session_version current_session_key created_by",
        ),
        **fields(
            "general",
            "account",
            "Django 权限（未使用，角色见 RoleAssignment）",
            "groups user_permissions",
        ),
    },
    "core.RoleAssignment": {
        **fields(
            "general",
            "account",
            "角色与管辖范围",
            "id user role area area_path granted_by granted_at",
        ),
    },
    "core.ApprovalRequest": {
        **fields(
            "general",
            "workflow",
            "双人复核审批（不含个人号码）",
            "id kind state payload summary area_path requested_by requested_at expires_at "
            "decided_by decided_at",
        ),
    },
    "core.AuditEntry": {
        **fields(
            "general",
            "audit",
            "审计日志（不含身份证号、手机号）",
            "id timestamp actor actor_username actor_roles event_type object_type object_id "
            "object_repr area_path outcome request_id changes detail prev_hash hash chain",
        ),
        **fields("personal", "audit", "来源 IP：安全审计", "source_ip"),
    },
    "core.IdempotencyRecord": {
        **fields(
            "general",
            "task",
            "接口重试去重（幂等键与首个响应）",
            "id user endpoint key request_hash status response created_at",
        ),
    },
    "core.Notification": {
        **fields(
            "general",
            "workflow",
            "站内通知",
            "id user kind title body link created_at read_at",
        ),
    },
    "core.ApiToken": {
        **fields(
            "general",
            "account",
            "接口令牌（只存哈希）",
            "id user name prefix digest created_at expires_at revoked_at last_used_at",
        ),
    },
    # Third-party apps.
    "auth.Permission": fields(
        "general", "config", "Django 权限表", "id name content_type codename"
    ),
    "auth.Group": fields("general", "config", "Django 用户组（未使用）", "id name permissions"),
    "contenttypes.ContentType": fields("general", "config", "模型类型表", "id app_label model"),
    "sessions.Session": fields(
        "personal", "session", "登录会话", "session_key session_data expire_date"
    ),
    "otp_totp.TOTPDevice": fields(
        "general",
        "account",
        "双因素认证设备（密钥）",
        "id user name confirmed throttling_failure_timestamp throttling_failure_count created_at "
        "last_used_at key step t0 digits tolerance drift last_t",
    ),
    "axes.AccessFailureLog": fields(
        "personal",
        "security_log",
        "登录失败记录：防暴力破解",
        "id user_agent ip_address username http_accept path_info attempt_time locked_out",
    ),
    "axes.AccessAttempt": fields(
        "personal",
        "security_log",
        "登录尝试：账号锁定",
        "id user_agent ip_address username http_accept path_info attempt_time get_data "
        "post_data failures_since_start",
    ),
    "axes.AccessAttemptExpiration": fields(
        "general", "security_log", "锁定到期时间", "access_attempt expires_at"
    ),
    "axes.AccessLog": fields(
        "personal",
        "security_log",
        "登录记录",
        "id user_agent ip_address username http_accept path_info attempt_time logout_time "
        "session_hash",
    ),
    "django_tasks_database.DBTaskResult": fields(
        "general",
        "task",
        "后台任务（参数只含记录编号）",
        "id status enqueued_at started_at finished_at args_kwargs priority task_path worker_ids "
        "queue_name backend_name run_after return_value exception_class_path traceback",
    ),
}
