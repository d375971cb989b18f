"""The community's screens: the forces database (roster), party members'
duty, activities with their QR codes, attendance and hours, rewards and
redemptions, the five forces, and the spreadsheets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.choices import AuditEvent
from shequ.core.errors import DomainError, Forbidden
from shequ.core.exports import spreadsheet_response
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.services.audit import audit_record
from shequ.core.views.base import form_error, paginate, requires
from shequ.volunteers import services
from shequ.volunteers.choices import Action, PartyMemberStatus, RecordStatus, SignUpStatus
from shequ.volunteers.forms import (
    ActivityForm,
    CorrectionForm,
    RewardForm,
    RosterFilterForm,
    SpanForm,
    VolunteerForm,
)
from shequ.volunteers.models import PartyMember, Redemption, ServiceRecord, SignUp
from shequ.volunteers.selectors import (
    activity_get,
    activity_list,
    duty_report,
    parse_month,
    party_member_list,
    pending_redemptions,
    record_list,
    redemption_list,
    reward_list,
    star_for,
    star_levels,
    volunteer_list,
)
from shequ.volunteers.services.activities import qr_max_age
from shequ.volunteers.views._common import perform, qr_data_uri


def _roster(request):
    form = RosterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = volunteer_list(
        actor=request.user,
        query=data.get("q", ""),
        skill=data.get("skill", ""),
        availability=data.get("availability", ""),
        emergency=bool(data.get("emergency")),
        party_only=bool(data.get("party")),
        include_inactive=bool(data.get("inactive")),
    )
    return form, rows


@requires(Action.VIEW)
@require_http_methods(["GET"])
def dashboard(request):
    """The mobilizable forces database: who can be called, by skill and readiness."""
    form, rows = _roster(request)
    page = paginate(request, rows)
    levels = star_levels()
    for v in page:
        v.star = star_for(v.hours_total, levels)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/staff/dashboard.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "communities": _communities(request),
            "can_manage": can(request.user, Action.MANAGE),
        },
    )


def _communities(request):
    from shequ.volunteers.selectors import communities_for

    return communities_for(request.user, Action.VIEW)


def _export(request, *, filename, title, headers, rows, what):
    response = spreadsheet_response(
        fmt="csv" if request.GET.get("format") == "csv" else "xlsx",
        filename=filename,
        headers=headers,
        rows=rows,
        request=request,
        title=title,
    )
    audit_record(
        event=AuditEvent.EXPORT,
        actor=request.user,
        object_type=what,
        detail={"rows": response.row_count, "filters": request.GET.dict()},
    )
    return response


@requires(Action.VIEW)
@require_http_methods(["GET"])
def roster_export(request):
    _form, rows = _roster(request)
    levels = star_levels()
    return _export(
        request,
        filename="volunteers",
        title=_("志愿者花名册"),
        headers=[
            _("姓名"),
            _("社区"),
            _("技能特长"),
            _("可服务时间"),
            _("应急"),
            _("下沉党员单位"),
            _("累计时长"),
            _("星级"),
            _("积分"),
        ],
        rows=(
            [
                v.name,
                v.community.name,
                v.skills,
                v.availability,
                v.emergency_ready,
                v.party_member.work_unit.name if hasattr(v, "party_member") else "",
                float(v.hours_total),
                star_for(v.hours_total, levels).stars,
                v.points,
            ]
            for v in rows.iterator(chunk_size=500)
        ),
        what="volunteers.volunteer",
    )


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def volunteer_new(request):
    form = VolunteerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_register(actor=request.user, **form.cleaned_data)
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已登记志愿者。"))
            return redirect("volunteers:dashboard")
    return render(
        request,
        "volunteers/staff/form.html",
        {"form": form, "title": _("登记志愿者")},
        status=400 if form.errors else 200,
    )


# --- party members -------------------------------------------------------------------


@requires(Action.VIEW)
@require_http_methods(["GET"])
def party(request):
    """This month's duty: who has not served yet, per work unit and community."""
    month = parse_month(request.GET.get("month"))
    report = duty_report(actor=request.user, month=month)
    pending = party_member_list(actor=request.user, status=PartyMemberStatus.PENDING)
    return render(
        request,
        "volunteers/staff/party.html",
        {"report": report, "month": month, "pending": pending[:100]},
    )


@requires(Action.MANAGE)
@require_POST
def party_confirm(request, pk: int):
    member = get_scoped_or_404(PartyMember.objects.all(), request.user, Action.MANAGE, pk=pk)
    return perform(
        request,
        lambda: services.party_member_confirm(actor=request.user, member=member),
        _("已确认报到。"),
        "volunteers:party",
    )


@requires(Action.VIEW)
@require_http_methods(["GET"])
def duty_export(request):
    """The monthly report for the work units (xlsx): one row per party member."""
    month = parse_month(request.GET.get("month"))
    report = duty_report(actor=request.user, month=month)
    unit = request.GET.get("unit", "")
    rows = [r for r in report["rows"] if not unit or r.member.work_unit.name == unit]
    return _export(
        request,
        filename=f"party-duty-{month:%Y-%m}",
        title=_("下沉党员%(month)s服务情况") % {"month": f"{month:%Y-%m}"},
        headers=[
            _("所在单位"),
            _("姓名"),
            _("报到社区"),
            _("达标服务次数"),
            _("本月时长"),
            _("是否达标"),
        ],
        rows=(
            [
                r.member.work_unit.name,
                r.member.volunteer.name,
                r.member.community.name,
                r.duty.services,
                float(r.duty.hours),
                r.duty.met,
            ]
            for r in rows
        ),
        what="volunteers.partymember",
    )


# --- activities --------------------------------------------------------------------------


@requires(Action.VIEW)
@require_http_methods(["GET"])
def activities(request):
    return render(
        request,
        "volunteers/staff/activities.html",
        {"page": paginate(request, activity_list(actor=request.user))},
    )


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def activity_new(request):
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.activity_create(actor=request.user, **form.cleaned_data)
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect("volunteers:activity_manage", pk=item.pk)
    return render(
        request,
        "volunteers/staff/form.html",
        {"form": form, "title": _("发布志愿活动")},
        status=400 if form.errors else 200,
    )


@requires(Action.VIEW)
@require_http_methods(["GET"])
def activity_manage(request, pk: int):
    """The organiser's page: sign-ups, the check-in and check-out QR codes,
    attendance, and the hours to confirm."""
    item = activity_get(actor=request.user, pk=pk)
    signups = list(
        SignUp.objects.filter(activity=item)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("volunteer", "record")
        .order_by("status", "signed_up_at")
    )
    for s in signups:
        record = getattr(s, "record", None)
        s.span_form = SpanForm.for_span(
            (record.started_at if record else s.checked_in_at) or item.starts_at,
            (record.ended_at if record else s.checked_out_at) or min(item.ends_at, timezone.now()),
            prefix=f"s{s.pk}",
        )
    codes = {}
    for direction in ("in", "out"):
        url = request.build_absolute_uri(
            reverse("volunteers:checkin")
            + "?t="
            + services.checkin_token(activity=item, direction=direction)
        )
        codes[direction] = {"url": url, "qr": qr_data_uri(url)}
    return render(
        request,
        "volunteers/staff/activity.html",
        {"activity": item, "signups": signups, "codes": codes, "qr_minutes": qr_max_age() // 60},
    )


@requires(Action.MANAGE)
@require_POST
def activity_cancel(request, pk: int):
    item = activity_get(actor=request.user, pk=pk, action=Action.MANAGE)
    return perform(
        request,
        lambda: services.activity_cancel(actor=request.user, activity=item),
        _("活动已取消。"),
        "volunteers:activity_manage",
        pk=item.pk,
    )


def _span(request, prefix):
    form = SpanForm(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("请填写有效的开始和结束时间。"))
        return None
    return form.cleaned_data["started_at"], form.cleaned_data["ended_at"]


@requires(Action.MANAGE)
@require_POST
def attendance(request, pk: int):
    """The organiser records someone's check-in and check-out."""
    row = get_scoped_or_404(SignUp.objects.all(), request.user, Action.MANAGE, pk=pk)
    span = _span(request, f"s{row.pk}")
    back = ("volunteers:activity_manage",)
    if span is None:
        return redirect(*back, pk=row.activity_id)
    return perform(
        request,
        lambda: services.attendance_record(
            actor=request.user, signup=row, checked_in_at=span[0], checked_out_at=span[1]
        ),
        _("已补录签到签退。"),
        *back,
        pk=row.activity_id,
    )


@requires(Action.MANAGE)
@require_POST
def record_confirm(request, pk: int):
    """The organiser confirms hours (the span they saw, prefilled from the scans)."""
    record = get_scoped_or_404(ServiceRecord.objects.all(), request.user, Action.MANAGE, pk=pk)
    back = (
        ("volunteers:activity_manage", record.activity_id)
        if record.activity_id
        else ("volunteers:hours",)
    )
    prefix = f"s{record.signup_id}" if record.signup_id else None
    span = (
        _span(request, prefix)
        if request.POST.get(f"{prefix}-started_at" if prefix else "started_at")
        else (None, None)
    )
    if span is None:
        return redirect(*back)
    return perform(
        request,
        lambda: services.record_confirm(
            actor=request.user, record=record, started_at=span[0], ended_at=span[1]
        ),
        _("时长已确认。"),
        *back,
    )


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def record_correct(request, pk: int):
    record = get_scoped_or_404(
        ServiceRecord.objects.select_related("volunteer"), request.user, Action.MANAGE, pk=pk
    )
    form = CorrectionForm(request.POST or None, initial={"hours": record.hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_correct(actor=request.user, record=record, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("时长已更正。"))
            return redirect("volunteers:hours")
    return render(
        request,
        "volunteers/staff/form.html",
        {"form": form, "title": _("更正时长"), "subject": record},
        status=400 if form.errors else 200,
    )


@requires(Action.VIEW)
@require_http_methods(["GET"])
def hours(request):
    month = parse_month(request.GET.get("month"))
    rows = record_list(actor=request.user, month=month)
    return render(
        request,
        "volunteers/staff/hours.html",
        {"page": paginate(request, rows), "month": month, "pending": RecordStatus.PENDING},
    )


@requires(Action.VIEW)
@require_http_methods(["GET"])
def hours_export(request):
    month = parse_month(request.GET.get("month"))
    rows = record_list(actor=request.user, month=month).filter(status=RecordStatus.CONFIRMED)
    return _export(
        request,
        filename=f"volunteer-hours-{month:%Y-%m}",
        title=_("志愿服务时长%(month)s") % {"month": f"{month:%Y-%m}"},
        headers=[_("姓名"), _("服务日期"), _("服务内容"), _("来源"), _("计入时长"), _("更正原因")],
        rows=(
            [
                r.volunteer.name,
                r.service_date,
                r.title,
                r.get_source_display(),
                float(r.hours),
                r.correction_reason,
            ]
            for r in rows.iterator(chunk_size=500)
        ),
        what="volunteers.servicerecord",
    )


# --- rewards -------------------------------------------------------------------------------


@requires(Action.VIEW)
@require_http_methods(["GET", "POST"])
def rewards(request):
    """The catalog, and a form to add a reward (for those who manage)."""
    form = RewardForm(request.POST or None, user=request.user)
    if request.method == "POST":
        from shequ.core.scoping import can

        if not can(request.user, Action.MANAGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.reward_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("礼品已上架。"))
                return redirect("volunteers:rewards")
    return render(
        request,
        "volunteers/staff/rewards.html",
        {
            "form": form,
            "rewards": reward_list(actor=request.user),
            "redemptions": redemption_list(actor=request.user)[:100],
            "pending": pending_redemptions(actor=request.user).count(),
        },
        status=400 if form.errors else 200,
    )


@requires(Action.MANAGE)
@require_POST
def hand_over(request, pk: int):
    redemption = get_scoped_or_404(Redemption.objects.all(), request.user, Action.MANAGE, pk=pk)
    return perform(
        request,
        lambda: services.redemption_hand_over(actor=request.user, redemption=redemption),
        _("已确认领取。"),
        "volunteers:rewards",
    )
