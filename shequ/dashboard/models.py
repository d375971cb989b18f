"""Maintained work-order statistics.

``CaseCounter`` holds, per (community path, day received, kind, category,
triage class) — and ``MonthCounter`` per month — how many cases there are in each state, how many were
resolved and resolved in time, their total resolution time and their
ratings. ``CaseCount`` remembers, per case, what it currently adds to which
counter row, so any change of a case (state, class, rating, resolution…)
moves exactly its own contribution: the counters always equal a recount of
the cases (``services.recount``), and ``manage.py dashboard_rebuild`` rebuilds
both tables from the cases.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.workorders.models import Category, WorkOrder

# The per-state columns, in the order of ``workorders.choices.State``.
STATE_FIELDS = (
    "reported",
    "triaged",
    "dispatched",
    "pooled",
    "claimed",
    "in_progress",
    "resolved",
    "closed",
    "reopened",
)
# What a case adds to its counter row (``received`` is always 1).
VALUE_FIELDS = (
    "received",
    *STATE_FIELDS,
    "resolutions",
    "on_time",
    "resolve_seconds",
    "rating_sum",
    "rating_count",
)
KEY_FIELDS = ("area_path", "day", "kind", "category_id", "triage_class")


class Counts(models.Model):
    """The key and the figures of a counter row, shared by the day and month tables."""

    area_path = models.CharField(max_length=255)
    day = models.DateField(_("受理日期"))
    kind = models.CharField(_("类型"), max_length=16)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    triage_class = models.CharField(_("分流"), max_length=16, blank=True)

    received = models.IntegerField(_("受理"), default=0)
    reported = models.IntegerField(default=0)
    triaged = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    pooled = models.IntegerField(default=0)
    claimed = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    # Cases now resolved or closed after handling, and of those, resolved by the deadline.
    resolutions = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    resolve_seconds = models.BigIntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    rating_count = models.IntegerField(default=0)

    scope_path_field = "area_path"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.area_path} {self.day} {self.kind}"


class CaseCounter(Counts):
    """Per day received."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "kind", "category", "triage_class"],
                name="dashboard_counter_key",
            )
        ]
        indexes = [
            # Prefix scans ("everything under this district") with a day range.
            models.Index(
                fields=["area_path", "day"],
                name="dashboard_counter_path_day",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]
        verbose_name = _("工单统计")
        verbose_name_plural = _("工单统计")


class MonthCounter(Counts):
    """The same figures per month received (``day`` is the 1st): whole months
    of a range, and all time, are read here, 20–30 times fewer rows."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "kind", "category", "triage_class"],
                name="dashboard_month_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["area_path", "day"],
                name="dashboard_month_path_day",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]
        verbose_name = _("工单月统计")
        verbose_name_plural = _("工单月统计")


class CaseCount(models.Model):
    """What one case currently adds to one ``CaseCounter`` row."""

    order = models.OneToOneField(
        WorkOrder, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    counter = models.ForeignKey(CaseCounter, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16)
    resolution = models.BooleanField(default=False)
    on_time = models.BooleanField(default=False)
    resolve_seconds = models.BigIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True)

    def __str__(self) -> str:
        return str(self.order_id)
