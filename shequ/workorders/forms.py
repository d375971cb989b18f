from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import AccountKind, Level
from shequ.core.models import Area
from shequ.core.scoping import restrict
from shequ.workorders.choices import Action, Channel, Kind, State
from shequ.workorders.models import Category

REPORT_LEVELS = (Level.COMMUNITY, Level.GRID, Level.ESTATE, Level.BUILDING, Level.UNIT)
# The list offers at most this many areas (nearest the user's own first); any
# area in scope is still accepted when posted.
AREA_CHOICES_LIMIT = 300


def report_areas(user):
    """The areas ``user`` may report in, scoped, for the report form."""
    areas = Area.objects.filter(level__in=REPORT_LEVELS)
    return restrict(areas, user, Action.REPORT).order_by("depth", "path")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or short videos; the checks on their content are in
    ``media`` (the same for every intake path)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*,video/*", "capture": "environment"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    """Report a problem or order a service, in an area of the user's own scope."""

    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.filter(is_active=True)
    )
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none())
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(
        label=_("描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    anonymous = forms.BooleanField(
        label=_("对其他居民匿名"),
        required=False,
        help_text=_("工作人员仍能看到您的姓名，以便联系处理。"),
    )
    files = MultipleFileField(
        label=_("照片或短视频"),
        required=False,
        help_text=_("可上传多张照片或短视频；照片中的位置等信息会被去除。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = report_areas(user)
        self.fields["area"].queryset = areas
        shown = areas.select_related("parent").only("pk", "name", "parent__name")
        self.fields["area"].widget.choices = [("", "---------")] + [
            (a.pk, f"{a.parent.name} · {a.name}" if a.parent else a.name)
            for a in shown[:AREA_CHOICES_LIMIT]
        ]
        if user.kind != AccountKind.STAFF:
            self.fields["kind"].choices = [c for c in Kind.choices if c[0] != Kind.HOTLINE]
        else:
            # Staff record what they found themselves, or take a case in at the
            # front desk or from the hotline and own it until they hand it off.
            del self.fields["anonymous"]
            self.fields["channel"] = forms.ChoiceField(
                label=_("来源"),
                choices=[
                    (c, Channel(c).label)
                    for c in (Channel.GRID_REPORT, Channel.FRONT_DESK, Channel.HOTLINE)
                ],
            )

    def clean_area(self):
        area = self.cleaned_data["area"]
        return Area.objects.get(pk=area.pk)


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), ("open", _("未关闭（工作队列）"))] + list(State.choices),
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部"))] + list(Kind.choices), required=False
    )
    overdue = forms.BooleanField(label=_("仅看超时"), required=False)
