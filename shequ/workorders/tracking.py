"""The public tracking page: anyone holding a case number and the tracking
code printed on the receipt sees the case's status and its public timeline,
never a person's name, phone, address or the internal notes. Lookups are
rate-limited per client address, and a wrong code answers exactly like an
unknown number."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shequ.core.middleware import client_ip
from shequ.workorders.models import WorkOrder

LOOKUPS_PER_WINDOW = 20
WINDOW_SECONDS = 600


class TrackForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("工单编号"), max_length=20)
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=12)


def _allowed(request) -> bool:
    key = f"workorders:track:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= LOOKUPS_PER_WINDOW


def find(number: str, code: str) -> WorkOrder | None:
    number, code = number.strip().upper(), code.strip().upper()
    if not number or not code:
        return None
    return (
        WorkOrder.objects.select_related("category")
        .filter(number=number, tracking_code=code)
        .exclude(tracking_code="")
        .first()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if not _allowed(request):
            context["error"] = _("查询过于频繁，请稍后再试。")
            return render(request, "workorders/track.html", context, status=429)
        order = (
            find(request.POST.get("number", ""), request.POST.get("code", ""))
            if form.is_valid()
            else None
        )
        if order is None:
            context["error"] = _("没有找到该工单，请核对工单编号和查询码。")
            status = 404
        else:
            context["order"] = order
            context["timeline"] = list(
                order.timeline.filter(public=True).order_by("at", "id").only("kind", "at", "note")
            )
    return render(request, "workorders/track.html", context, status=status)
