"""The field app's entries in the data inventory (SECURITY.md row 24): every
concrete field of every model, its class, its retention class (see
``shequ.core.checks.RETENTION_CLASSES``) and why it is kept."""

from shequ.core.checks import fields

_WORK = "workflow"
_QUEUE = "幂等键与内容指纹：离线上传不重复"

DATA_INVENTORY = {
    "field.VisitRule": {
        **fields("general", "config", "走访频次规则", "id tag interval_days is_active"),
    },
    "field.Visit": {
        **fields(
            "general",
            _WORK,
            "走访记录：哪户、谁、何时",
            "id household worker visited_at client_time recorded_at area_path",
        ),
        **fields("personal", _WORK, "走访时见到的人（可含姓名）", "met"),
        **fields("general", _WORK, "四必联、四必掌握清单", "outcome must_contact must_know"),
        **fields("personal", _WORK, "走访记录（可能涉及居民情况）", "notes"),
        **fields("general", _WORK, "离线期间台账是否变化", "household_version changed_meanwhile"),
        **fields("general", _WORK, _QUEUE, "client_id request_hash"),
    },
    "field.VisitPhoto": {
        **fields(
            "personal",
            _WORK,
            "走访照片（已去除位置与设备信息）",
            "id visit storage_name content_type size width height area_path",
        ),
    },
    "field.Need": {
        **fields("personal", _WORK, "走访发现的需求及转办工单", "id visit description workorder"),
        **fields("general", _WORK, "范围", "area_path"),
    },
    "field.LedgerChangeProposal": {
        **fields(
            "general",
            _WORK,
            "台账变更申请与审核",
            "id household resident visit kind state proposed_by created_at decided_by "
            "decided_at decision_note area_path household_version resident_version",
        ),
        **fields("personal", _WORK, "拟新增成员的姓名、性别、出生日期或迁往地", "data"),
        **fields("personal", _WORK, "新手机号（加密存储）", "new_mobile"),
    },
    "field.Instruction": {
        **fields(
            "general",
            _WORK,
            "工作指令",
            "id issuer area title body checklist deadline created_at area_path",
        ),
    },
    "field.InstructionAssignment": {
        **fields(
            "general",
            _WORK,
            "指令签收与完成情况",
            "id instruction recipient state acknowledged_at completed_at report checked area_path",
        ),
    },
    "field.WorkLogNote": {
        **fields("general", _WORK, "网格员工作日志", "id worker day text created_at area_path"),
        **fields("general", _WORK, _QUEUE, "client_id"),
    },
    "field.WorkLogComment": {
        **fields(
            "general", _WORK, "工作日志点评", "id worker day author text created_at area_path"
        ),
    },
    "field.FieldReport": {
        **fields(
            "general", _WORK, "网格上报与工单的对应", "id worker workorder created_at area_path"
        ),
        **fields("general", _WORK, _QUEUE, "client_id request_hash client_time"),
    },
    "field.Outpost": {
        **fields(
            "general",
            "config",
            "驻点安排",
            "id area weekdays hours staff is_active created_at area_path",
        ),
    },
    "field.OutpostService": {
        **fields(
            "personal",
            _WORK,
            "驻点办理事项（可能涉及居民情况）",
            "id outpost kind description workorder recorded_by served_at area_path",
        ),
        **fields("general", _WORK, _QUEUE, "client_id request_hash"),
    },
}
