"""Forms of the front desk, the guidance templates, the catalog and the
hotline import. Querysets are scoped to the user."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Level
from shequ.core.models import Area, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.scoping import restrict
from shequ.workorders.choices import Action, HandlerType, Kind, TriageClass
from shequ.workorders.models import Category
from shequ.workorders.models_extra import Visit

DESK_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)


class ReceptionForm(forms.Form):
    area = forms.ModelChoiceField(label=_("接待窗口"), queryset=Area.objects.none())
    visitor = forms.CharField(
        label=_("来访人称呼"),
        max_length=30,
        required=False,
        help_text=_("如“王阿姨”；不要填写身份证号或手机号。"),
    )
    subject = forms.CharField(label=_("来访事由"), max_length=200)
    outcome = forms.ChoiceField(label=_("接待结果"), choices=Visit.choices)
    note = forms.CharField(label=_("答复或去向"), max_length=500, required=False)
    # When the visit becomes a case:
    category = forms.ModelChoiceField(
        label=_("受理为工单：类别"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = restrict(
            Area.objects.filter(level__in=DESK_LEVELS), user, Action.RECEPTION
        ).order_by("depth", "path")
        self.fields["area"].queryset = areas
        self.fields["area"].widget.choices = [("", "---------")] + [
            (a.pk, a.name) for a in areas.only("pk", "name")[:200]
        ]

    def clean_area(self):
        area = self.cleaned_data["area"]
        return Area.objects.get(pk=area.pk)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Visit.CASE_OPENED and not (
            data.get("category") and data.get("description")
        ):
            raise forms.ValidationError(_("受理为工单时须选择类别并填写诉求内容。"))
        return data


class GuidanceForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=60)
    body = forms.CharField(
        label=_("指导意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ModelChoiceField(
        label=_("适用类别"), queryset=Category.objects.all(), required=False
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("编码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=60)
    kinds = forms.MultipleChoiceField(
        label=_("适用类型"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示适用于全部类型。"),
    )
    default_triage = forms.ChoiceField(label=_("默认分流"), choices=TriageClass.choices)
    default_handler = forms.ChoiceField(label=_("默认处置方"), choices=HandlerType.choices)
    response_hours = forms.IntegerField(label=_("响应时限（小时）"), min_value=1, max_value=24 * 90)
    resolution_hours = forms.IntegerField(
        label=_("办结时限（小时）"), min_value=1, max_value=24 * 365
    )
    requires_photo_on_resolve = forms.BooleanField(label=_("办结须上传现场照片"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32000, initial=100)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    district = forms.ModelChoiceField(label=_("所属区县"), queryset=Area.objects.none())
    handlers = forms.ModelMultipleChoiceField(
        label=_("处置人员"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = restrict(Area.objects.filter(level=Level.DISTRICT), user, Action.CONFIGURE)
        self.fields["district"].queryset = districts.order_by("path")
        paths = list(districts.values_list("path", flat=True)[:50])
        holders = RoleAssignment.objects.filter(
            role=Role.DEPARTMENT_HANDLER, area_path__in=paths
        ).values("user_id")
        self.fields["handlers"].queryset = User.objects.filter(
            is_active=True, pk__in=holders
        ).order_by("username")


class HotlineImportForm(forms.Form):
    file = forms.FileField(
        label=_("12345 工单文件"),
        help_text=_(
            "Excel 工作簿（.xlsx）或 CSV，第一行为表头：工单编号、类别、区域、标题、诉求内容、地址。"
        ),
    )
