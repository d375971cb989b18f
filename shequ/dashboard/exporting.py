"""The statistics page as a spreadsheet: the same figures, one row per slice."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.exports import spreadsheet_response
from shequ.core.services.audit import audit_record
from shequ.dashboard.selectors import Figures, Stats


def _headers() -> list[str]:
    return [
        _("分组"),
        _("名称"),
        _("受理"),
        _("未关闭"),
        _("已关闭"),
        _("超时未办结"),
        _("已升级"),
        _("已办结"),
        _("按时办结率（%）"),
        _("平均办结时长（小时）"),
        _("满意度（1-5）"),
        _("评价数"),
    ]


def _row(group: str, name: str, f: Figures) -> list:
    return [
        group,
        name,
        f.values["received"],
        f.open,
        f.values["closed"],
        f.overdue,
        f.escalated,
        f.values["resolutions"],
        f.on_time_rate,
        f.mean_hours,
        f.satisfaction,
        f.values["rating_count"],
    ]


def _rows(stats: Stats):
    yield _row(_("合计"), stats.area.name if stats.area else _("全部辖区"), stats.totals)
    for group, slices in (
        (_("区域"), stats.by_area),
        (_("类型"), stats.by_kind),
        (_("类别"), stats.by_category),
        (_("分流"), stats.by_triage),
        (_("社区排名"), stats.ranking),
    ):
        for item in slices:
            yield _row(group, item.label, item.figures)


def stats_export(*, request: HttpRequest, stats: Stats) -> HttpResponse:
    """An xlsx of ``stats`` with the export's audit row."""
    response = spreadsheet_response(
        fmt="xlsx",
        filename=f"workorder-stats-{timezone.localtime():%Y%m%d-%H%M}",
        headers=_headers(),
        rows=_rows(stats),
        request=request,
        title=_("工单统计"),
    )
    audit_record(
        event=AuditEvent.EXPORT,
        actor=request.user,
        object_type="dashboard.casecounter",
        object_repr=_("工单统计导出"),
        detail={
            "area": stats.area.path if stats.area else None,
            "start": stats.start.isoformat() if stats.start else None,
            "end": stats.end.isoformat() if stats.end else None,
            "row_count": response.row_count,
        },
    )
    return response
