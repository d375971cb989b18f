"""The statistics' entries in the data inventory (SECURITY.md row 24).

Counters hold numbers per community, day, kind, category and triage class:
no one's personal information. ``CaseCount`` links a case to its counter row.
"""

from shequ.core.checks import fields

_STATS = "workflow"

DATA_INVENTORY = {
    "dashboard.CaseCounter": {
        **fields(
            "general",
            _STATS,
            "工单统计的维度（社区、受理日期、类型、类别、分流）",
            "id area_path day kind category triage_class",
        ),
        **fields(
            "general",
            _STATS,
            "工单统计数（按状态、办结、按时、时长、评价）",
            "received reported triaged dispatched pooled claimed in_progress resolved closed"
            " reopened resolutions on_time resolve_seconds rating_sum rating_count",
        ),
    },
    "dashboard.MonthCounter": {
        **fields(
            "general",
            _STATS,
            "工单统计的维度（社区、受理日期、类型、类别、分流）",
            "id area_path day kind category triage_class",
        ),
        **fields(
            "general",
            _STATS,
            "工单统计数（按状态、办结、按时、时长、评价）",
            "received reported triaged dispatched pooled claimed in_progress resolved closed"
            " reopened resolutions on_time resolve_seconds rating_sum rating_count",
        ),
    },
    "dashboard.CaseCount": {
        **fields(
            "general",
            _STATS,
            "每张工单计入的统计行，用于增量维护统计",
            "order counter state resolution on_time resolve_seconds rating",
        ),
    },
}
