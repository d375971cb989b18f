import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.exports import spreadsheet_response
from shequ.core.forms import AuditFilterForm
from shequ.core.roles import Action
from shequ.core.selectors import audit_list
from shequ.core.services.audit import audit_record
from shequ.core.views.base import paginate, requires

EXPORT_CAP = 100_000
COLUMNS = [
    ("timestamp", _("时间")),
    ("actor_username", _("操作人")),
    ("actor_roles", _("角色")),
    ("event_type", _("事件类型")),
    ("object_type", _("对象类型")),
    ("object_id", _("对象编号")),
    ("object_repr", _("对象")),
    ("outcome", _("结果")),
    ("source_ip", _("来源地址")),
    ("request_id", _("请求编号")),
    ("changes", _("变更内容")),
    ("detail", _("详情")),
]


def _filters(request) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {k: v for k, v in data.items() if v not in (None, "")}
        tz = timezone.get_current_timezone()
        if data.get("since"):
            filters["since"] = dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz)
        if data.get("until"):
            filters["until"] = dt.datetime.combine(
                data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
    return form, filters


@requires(Action.AUDIT_VIEW)
def audit_list_view(request):
    form, filters = _filters(request)
    entries = paginate(request, audit_list(actor=request.user, filters=filters), per_page=50)
    audit_record(
        event=AuditEvent.AUDIT_QUERY,
        actor=request.user,
        detail={"filters": filters, "page": entries.number},
    )
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "entries": entries, "query": request.GET.urlencode()},
    )


@requires(Action.AUDIT_EXPORT)
def audit_export_view(request):
    form, filters = _filters(request)
    entries = audit_list(actor=request.user, filters=filters)[:EXPORT_CAP]
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    rows = (
        [
            timezone.localtime(e.timestamp).strftime("%Y-%m-%d %H:%M:%S")
            if name == "timestamp"
            else getattr(e, name)
            for name, _label in COLUMNS
        ]
        for e in entries.iterator(chunk_size=2000)
    )
    headers = [str(label) for _name, label in COLUMNS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response: HttpResponse = spreadsheet_response(
        fmt=fmt,
        filename=f"audit-{stamp}",
        headers=headers,
        rows=rows,
        request=request,
        title=_("审计日志"),
    )
    audit_record(
        event=AuditEvent.EXPORT,
        actor=request.user,
        object_type="core.auditentry",
        detail={"filters": filters, "format": fmt, "row_count": response.row_count},
    )
    return response
