"""The work-order engine's entries in the data inventory (SECURITY.md row 24):
every concrete field, its class of information, retention and purpose."""

from shequ.core.checks import fields

_C, _W = "config", "workflow"

DATA_INVENTORY = {
    "workorders.DailyNumber": fields("general", _C, "工单编号的每日序号", "day counter"),
    "workorders.Category": fields(
        "general",
        _C,
        "工单类别目录：分流、处置方与时限",
        "id code name kinds default_triage default_handler response_hours resolution_hours "
        "is_active requires_photo_on_resolve order",
    ),
    "workorders.Department": fields(
        "general", _C, "职能部门目录及其处置人员", "id name district handlers is_active"
    ),
    "workorders.WorkOrder": {
        **fields(
            "general",
            _W,
            "工单办理：类型、类别、区域、状态、时限、分流、派单与升级",
            "id number kind category area area_path channel triage_class state owner handler "
            "department respond_by resolve_by claimed_at responded_at resolved_at closed_at "
            "escalation_level reopened_count tracking_code paused_at pause_reason paused_seconds "
            "response_reminded_at resolve_reminded_at merged_into external_ref version "
            "created_at updated_at",
        ),
        **fields(
            "personal",
            _W,
            "群众反映的问题、地点与评价（可能含个人信息）",
            "title description address latitude longitude reporter reporter_anonymous rating "
            "rating_comment",
        ),
    },
    "workorders.TimelineEntry": {
        **fields("general", _W, "工单办理记录（只增不改）", "id order kind actor at public data"),
        **fields("personal", _W, "办理说明（可能含个人信息）", "note"),
    },
    "workorders.Attachment": {
        **fields(
            "general",
            _W,
            "工单附件的存储与校验信息",
            "id order entry kind storage_name content_type size width height sha256 "
            "uploaded_by created_at area_path",
        ),
        **fields("personal", _W, "上传时的文件名（仅显示）", "original_name"),
    },
    "workorders.WhistleCall": {
        **fields(
            "general",
            _W,
            "吹哨报到：召集、报到、反馈与超时上报",
            "id order department area_path summoned_by summoned_at note acknowledge_by "
            "acknowledged_at acknowledged_by reported_at reported_by escalated_at",
        ),
        **fields("personal", _W, "部门处置情况（可能含个人信息）", "report"),
    },
    "workorders.ReceptionLog": {
        **fields(
            "general",
            _W,
            "窗口接待登记（首问负责）",
            "id area area_path received_by received_at outcome order",
        ),
        **fields(
            "personal", _W, "来访人称呼与事由、答复（不含证件号、手机号）", "visitor subject note"
        ),
    },
    "workorders.GuidanceTemplate": fields(
        "general", _C, "私事指导意见模板", "id title body category is_active updated_at"
    ),
}
