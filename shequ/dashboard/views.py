"""The statistics page and its spreadsheet. Thin: parse, select, render."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from shequ.core.views.base import requires
from shequ.dashboard.exporting import stats_export
from shequ.dashboard.forms import StatsFilterForm
from shequ.dashboard.selectors import statistics
from shequ.dashboard.services import VIEW


def _filtered(request):
    form = StatsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    stats = statistics(
        actor=request.user,
        area_id=data.get("area"),
        start=data.get("start"),
        end=data.get("end"),
    )
    return form, stats


@require_http_methods(["GET"])
@requires(VIEW)
def stats(request):
    form, result = _filtered(request)
    dates = request.GET.copy()
    dates.pop("area", None)
    context = {
        "form": form,
        "stats": result,
        "dates": dates.urlencode(),
        "query": request.GET.urlencode(),
    }
    return render(request, "dashboard/stats.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
@requires(VIEW)
def export(request) -> HttpResponse:
    form, result = _filtered(request)
    if form.errors:
        return render(request, "dashboard/stats.html", {"form": form, "stats": result}, status=400)
    return stats_export(request=request, stats=result)
