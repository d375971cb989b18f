"""Where the phone's offline queue uploads to, and what makes the app
installable (the service worker and the manifest).

Each upload is a multipart POST (session cookie and CSRF header) carrying
the item's ``client_id``; the answer is JSON: the result, or the API's one
error shape ``{"error": {"code", "message", "fields"}}`` with a 4xx status,
so the page can tell "try again later" (network, 5xx) from "needs the
worker" (400, 404, 409, 422). A form posted without the script gets a page
back instead."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shequ.core.errors import DomainError, Forbidden, InvalidInput
from shequ.core.scoping import can
from shequ.core.views.base import deny
from shequ.field.choices import Action
from shequ.field.models import InstructionAssignment
from shequ.field.services import (
    assignment_acknowledge,
    assignment_complete,
    report_record,
    visit_record,
    worklog_note_add,
)

APP_VERSION = "field-1"


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error(request, status: int, code: str, message, fields=None, back: str = "field:today"):
    if status == 404 and not _wants_json(request):
        raise Http404
    if _wants_json(request):
        return JsonResponse(
            {"error": {"code": code, "message": str(message), "fields": fields or {}}},
            status=status,
        )
    messages.error(request, str(message))
    return redirect(back)


def _domain(request, error: DomainError, back: str = "field:today"):
    fields = {error.field: [str(error.message)]} if error.field else {}
    return _error(request, error.status, error.code, error.message, fields, back)


def _payload(request) -> dict:
    raw = request.POST.get("payload")
    if raw is None:  # the plain form, without the script
        data = {key: request.POST.get(key) for key in ("outcome", "met", "notes")}
        data["must_contact"] = request.POST.getlist("must_contact")
        data["must_know"] = request.POST.getlist("must_know")
        data["household_version"] = request.POST.get("household_version")
        need = (request.POST.get("need") or "").strip()
        if need:
            data["needs"] = [
                {
                    "description": need,
                    "kind": request.POST.get("need_kind", ""),
                    "category": request.POST.get("need_category", ""),
                }
            ]
        return data
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(_("提交的数据格式不正确。"), field="payload") from exc
    if not isinstance(data, dict):
        raise InvalidInput(_("提交的数据格式不正确。"), field="payload")
    return data


@login_required
@require_POST
def sync_visit(request):
    """Upload one visit (with its photos, needs and proposals)."""
    if not can(request.user, Action.VISIT):
        deny(request, Action.VISIT)
    try:
        result = visit_record(
            actor=request.user,
            household_id=request.POST.get("household"),
            client_id=request.POST.get("client_id"),
            payload=_payload(request),
            photos=request.FILES.getlist("photos"),
            client_sent_at=request.POST.get("client_sent_at"),
        )
    except Http404:
        return _error(
            request,
            404,
            "not_found",
            _("找不到该户，或该户不在您负责的网格内。这条走访没有上传，仍保留在手机上。"),
            back="field:visit_form",
        )
    except DomainError as error:
        return _domain(request, error, back="field:visit_form")
    visit = result.visit
    url = reverse("field:visit_detail", args=[visit.pk])
    if not _wants_json(request):
        messages.success(request, _("走访已保存。"))
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect(url)
    cases = [
        {"number": n.workorder.number, "kind": n.workorder.get_kind_display()}
        for n in visit.needs.select_related("workorder").filter(workorder__isnull=False)
    ]
    return JsonResponse(
        {
            "id": visit.pk,
            "url": url,
            "replayed": result.replayed,
            "visited_at": visit.visited_at.isoformat(),
            "cases": cases,
            "warnings": [str(w) for w in result.warnings],
        },
        status=200 if result.replayed else 201,
    )


@login_required
@require_POST
def sync_report(request):
    """Upload one report from the street (an incident or a dispute lead)."""
    if not can(request.user, Action.VISIT):
        deny(request, Action.VISIT)
    payload = {
        key: request.POST.get(key, "")
        for key in (
            "kind", "category", "area", "title", "description", "address",
            "latitude", "longitude", "client_time",
        )
    }  # fmt: skip
    try:
        result = report_record(
            actor=request.user,
            client_id=request.POST.get("client_id"),
            payload=payload,
            files=request.FILES.getlist("files"),
        )
    except Http404:
        return _error(request, 404, "not_found", _("所选地点不在您负责的网格内。"))
    except DomainError as error:
        return _domain(request, error, back="field:report_form")
    order = result.report.workorder
    if not _wants_json(request):
        messages.success(request, _("已上报，工单编号 %(number)s。") % {"number": order.number})
        return redirect("workorders:order_detail", pk=order.pk)
    return JsonResponse(
        {
            "id": result.report.pk,
            "replayed": result.replayed,
            "cases": [{"number": order.number, "kind": order.get_kind_display()}],
            "url": reverse("workorders:order_detail", args=[order.pk]),
        },
        status=200 if result.replayed else 201,
    )


@login_required
@require_POST
def sync_note(request):
    """Upload one line of the work log."""
    if not can(request.user, Action.VISIT):
        deny(request, Action.VISIT)
    try:
        note, replayed = worklog_note_add(
            actor=request.user,
            text_value=request.POST.get("text", ""),
            client_id=request.POST.get("client_id"),
            client_time=request.POST.get("client_time"),
            client_sent_at=request.POST.get("client_sent_at"),
        )
    except DomainError as error:
        return _domain(request, error, back="field:worklog")
    if not _wants_json(request):
        messages.success(request, _("已记入工作日志。"))
        return redirect("field:worklog")
    return JsonResponse(
        {"id": note.pk, "day": note.day.isoformat(), "replayed": replayed},
        status=200 if replayed else 201,
    )


@login_required
@require_POST
def sync_reply(request):
    """Acknowledge an instruction, or report it done."""
    if not can(request.user, Action.VISIT):
        deny(request, Action.VISIT)
    try:
        pk = int(request.POST.get("assignment") or 0)
    except ValueError:
        pk = 0
    assignment = InstructionAssignment.objects.filter(pk=pk, recipient=request.user).first()
    if assignment is None:
        return _error(request, 404, "not_found", _("找不到该指令，可能已被撤回。"))
    try:
        if request.POST.get("action") == "complete":
            assignment = assignment_complete(
                actor=request.user,
                assignment=assignment,
                report=request.POST.get("report", ""),
                checked=request.POST.getlist("checked"),
            )
        else:
            assignment = assignment_acknowledge(actor=request.user, assignment=assignment)
    except (Forbidden, DomainError) as error:
        return _domain(request, error)
    if not _wants_json(request):
        messages.success(request, _("已提交。"))
        return redirect("field:today")
    return JsonResponse({"id": assignment.pk, "state": assignment.state})


@require_GET
def service_worker(request):
    """The service worker, served from /field/ so that its scope is the app."""
    shell = [
        reverse("field:today"),
        reverse("field:visit_form"),
        reverse("field:report_form"),
        reverse("field:worklog"),
        static("core/shequ.css"),
        static("field/field.css"),
        static("field/app.js"),
        static("field/icons/icon-192.png"),
    ]
    response = render(
        request,
        "field/sw.js",
        {
            "version": APP_VERSION,
            "shell": json.dumps(shell),
            # Today itself, and every page below each of the others.
            "offline_pages": json.dumps(
                [
                    reverse("field:today"),
                    reverse("field:visit_form"),
                    reverse("field:report_form"),
                    reverse("field:worklog"),
                    reverse("field:map"),
                    reverse("field:visit_list"),
                    reverse("field:outposts"),
                ]
            ),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("field:today")
    return response


@require_GET
def manifest(request):
    """The web app manifest: Chinese first, opens on Today, full screen."""
    data = {
        "name": _("网格员掌上工作"),
        "short_name": _("网格通"),
        "lang": "zh-CN",
        "start_url": reverse("field:today"),
        "scope": reverse("field:today"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b3261e",
        "icons": [
            {"src": static("field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
    return response
