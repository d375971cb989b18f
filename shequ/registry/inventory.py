"""The registry's entries in the data inventory (SECURITY.md row 24).

Every concrete field of every registry model: its class (``general``,
``personal`` or ``sensitive`` personal information), its retention class
(see ``shequ.core.checks.RETENTION_CLASSES``) and why it is kept. The system
check ``gov.W002``/``gov.E002`` fails on a field missing here.
"""

from shequ.core.checks import fields

_LEDGER = "ledger"

DATA_INVENTORY = {
    "registry.Household": {
        **fields("general", _LEDGER, "户的地址与台账管理", "id area room number head area_path"),
        **fields("general", _LEDGER, "记录变更时间与乐观锁", "created_at updated_at version"),
        **fields("general", _LEDGER, "注销（软删除）及原因", "removed_at removed_reason"),
    },
    "registry.Resident": {
        **fields("general", _LEDGER, "台账管理", "id household area_path version"),
        **fields("personal", _LEDGER, "识别居民、上门走访与服务", "name"),
        **fields("personal", _LEDGER, "按拼音查找居民", "name_pinyin name_initials"),
        **fields("personal", _LEDGER, "人口统计与服务对象识别", "gender birth_date"),
        **fields("sensitive", _LEDGER, "民族（敏感个人信息）：民政统计", "ethnicity"),
        **fields(
            "sensitive",
            _LEDGER,
            "公民身份号码（加密存储）：一人一档、核对身份",
            "id_number id_number_index id_last4_index",
        ),
        **fields("personal", _LEDGER, "手机号（加密存储）：联系居民", "mobile mobile_index"),
        **fields(
            "personal",
            _LEDGER,
            "其他电话（固定电话等，加密存储）：联系居民",
            "other_phone other_phone_index",
        ),
        **fields(
            "sensitive",
            _LEDGER,
            "非内地居民的证件类型与号码（号码加密存储）：一人一档、核对身份",
            "id_document_type id_document_number id_document_index",
        ),
        **fields(
            "personal",
            _LEDGER,
            "人口类型、居住状态与户内关系：网格管理",
            "residence_type living_status relation_to_head",
        ),
        **fields(
            "personal",
            _LEDGER,
            "户籍地址、工作单位与备注",
            "registered_address work_or_school notes",
        ),
        **fields("general", _LEDGER, "记录变更时间", "created_at updated_at"),
        **fields("general", _LEDGER, "迁出、死亡等注销及原因", "removed_at removed_reason"),
        **fields("general", _LEDGER, "保留期满后的匿名化时间", "anonymised_at"),
    },
    "registry.KeyPopulationTag": {
        **fields(
            "general",
            "config",
            "重点人群类别配置（含安全标签）",
            "id code name description order is_active label",
        ),
    },
    "registry.ResidentTag": {
        **fields(
            "sensitive",
            _LEDGER,
            "重点人群标记（健康、残疾、低保等为敏感个人信息）：关爱服务",
            "id resident tag attributes valid_from created_at",
        ),
    },
    "registry.Rental": {
        **fields("general", _LEDGER, "出租房屋管理", "id household area_path created_at"),
        **fields("personal", _LEDGER, "房东与租户：流动人口管理", "landlord landlord_name tenants"),
        **fields("general", _LEDGER, "租期与备注", "lease_start lease_end notes"),
        **fields("general", _LEDGER, "租赁结束及原因", "ended_at ended_reason"),
    },
    "registry.LifeEvent": {
        **fields(
            "general",
            "ledger_history",
            "人口变动记录（匿名化后保留，不含个人信息）",
            "id kind resident household occurred_on reason details actor recorded_at area_path",
        ),
    },
    "registry.ResidentTransfer": {
        **fields(
            "general",
            _LEDGER,
            "跨社区迁移申请：双方社区确认、迁移记录",
            "id resident from_household to_household from_community to_community from_path "
            "to_path direction state relation_to_head reason requested_by requested_at "
            "expires_at decided_by decided_at decision_note",
        ),
    },
    "registry.ImportJob": {
        **fields(
            "general",
            "import",
            "台账导入任务（文件加密保存，7天后删除）",
            "id created_by area area_path file_name file_kind file_size stored_file "
            "rejected_file sha256 mapping state commit_mode duplicate_mode progress counts "
            "error_message failed_row created_at updated_at validated_at finished_at",
        ),
    },
    "registry.ImportProblem": {
        **fields(
            "general", "import", "导入检查发现的问题", "id job sheet row column level message"
        ),
    },
}
