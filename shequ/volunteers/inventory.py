"""The volunteers app's entries in the data inventory (SECURITY.md row 24):
every concrete field, its class of information, retention and purpose."""

from shequ.core.checks import fields

_C, _W = "config", "workflow"
_SCOPE = "id area_path"

DATA_INVENTORY = {
    "volunteers.Policy": fields(
        "general",
        _C,
        "积分、双报到服务与工单计时规则",
        "id points_per_hour points_per_activity points_per_order duty_services duty_hours "
        "remind_days order_hours_cap",
    ),
    "volunteers.StarLevel": fields("general", _C, "星级标准与礼遇", "id stars min_hours benefits"),
    "volunteers.WorkUnit": fields("general", _C, "在职党员所在单位", "id name"),
    "volunteers.Volunteer": {
        **fields("general", _W, "志愿者台账与范围控制", f"{_SCOPE} community created_at"),
        **fields("personal", _W, "识别志愿者、关联账号和底账居民", "name user resident"),
        **fields(
            "personal",
            _W,
            "按技能、时间、应急能力调度志愿力量；晾晒匿名选择",
            "skills availability emergency_ready board_anonymous",
        ),
        **fields("personal", _W, "累计时长、星级与积分", "hours_total points"),
        **fields("general", _W, "志愿者停用（不再调度）", "is_active deactivated_at"),
    },
    "volunteers.PartyMember": {
        **fields("general", _W, "双报到管理", f"{_SCOPE} community status registered_at"),
        **fields("personal", _W, "党员身份与所在单位（双报到）", "volunteer work_unit"),
        **fields("general", _W, "社区确认报到", "confirmed_by confirmed_at"),
    },
    "volunteers.Organization": fields(
        "general", _W, "五社联动：社会组织", f"{_SCOPE} name community status service_areas"
    ),
    "volunteers.SocialWorker": {
        **fields("general", _W, "五社联动：社会工作者", f"{_SCOPE} community organization"),
        **fields("personal", _W, "社会工作者姓名与证书等级", "name certificate_level"),
    },
    "volunteers.Group": fields(
        "general",
        _W,
        "志愿服务队与应急小组",
        f"{_SCOPE} name kind community leader members is_active deactivated_at",
    ),
    "volunteers.BuildingTeamMember": fields(
        "general", _W, "楼栋一长二员与小巷管家", f"{_SCOPE} volunteer area post ended_at"
    ),
    "volunteers.CharityResource": fields(
        "general", _W, "慈善资源与资金", f"{_SCOPE} name kind community donor amount received_on"
    ),
    "volunteers.Activity": fields(
        "general",
        _W,
        "志愿活动的发布与组织",
        f"{_SCOPE} title description community organizer_kind organization group place "
        "starts_at ends_at capacity skills cancelled created_by created_at",
    ),
    "volunteers.SignUp": fields(
        "personal",
        _W,
        "活动报名、候补与签到签退",
        f"{_SCOPE} activity volunteer status signed_up_at checked_in_at checked_out_at",
    ),
    "volunteers.ServiceRecord": fields(
        "personal",
        _W,
        "志愿服务时长记录、确认与更正",
        f"{_SCOPE} volunteer source signup activity order_id title started_at ended_at "
        "service_date hours status confirmed_by confirmed_at correction_reason created_at",
    ),
    "volunteers.Reward": fields(
        "general",
        _C,
        "积分兑换礼品目录",
        f"{_SCOPE} name description community points_cost stock per_person_limit is_active",
    ),
    "volunteers.Redemption": fields(
        "personal",
        _W,
        "积分兑换与领取确认",
        f"{_SCOPE} reward volunteer points status created_at handed_over_by handed_over_at",
    ),
    "volunteers.PointEntry": fields(
        "personal",
        _W,
        "积分明细账",
        f"{_SCOPE} volunteer delta balance reason record redemption note created_at",
    ),
}
