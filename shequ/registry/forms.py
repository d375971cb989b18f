from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class ResidentSearchForm(forms.Form):
    """Sent by POST: the box may hold an ID or mobile number, which must never
    appear in a URL (SECURITY.md row 27)."""

    q = forms.CharField(label=_("查找"), max_length=50, required=False)
    page = forms.IntegerField(min_value=1, max_value=100000, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看事由"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：办理低保复核，需核对身份证号")}),
    )


# --------------------------------------------------------------------------
# Search with filters (POST: the box and the last four may be personal numbers)
# --------------------------------------------------------------------------

_BLANK = [("", "—")]


class FastSelect(forms.Select):
    """A ``<select>`` written in Python. Django's widget renders a template per
    option; a community's building/unit list has 130 of them, which made the
    filter form most of the search page's time (docs/performance.md)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        chosen.discard("None")
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                key,
                mark_safe(" selected") if str(key) in chosen else "",  # noqa: S308  (a constant)
                label,
            )
            for key, label in self.choices
        ]
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308  (every piece above is escaped by format_html)
            format_html('<select name="{}"{}>', name, attributes) + "".join(options) + "</select>"
        )


class ResidentFilterForm(ResidentSearchForm):
    """The search box plus the filters; posted, never put in a URL."""

    tags = forms.MultipleChoiceField(
        label=_("重点人群（任一）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    age_min = forms.IntegerField(label=_("最小年龄"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("最大年龄"), min_value=0, max_value=150, required=False)
    residence_type = forms.ChoiceField(label=_("人口类型"), required=False)
    living_status = forms.ChoiceField(label=_("居住状态"), required=False)
    area = forms.TypedChoiceField(
        label=_("楼栋/单元"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )
    room = forms.CharField(label=_("门牌号/室"), max_length=20, required=False)
    id_last4 = forms.CharField(label=_("身份证号后四位"), max_length=4, required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("name", _("按姓名拼音")),
            ("age", _("按年龄从小到大")),
            ("-age", _("按年龄从大到小")),
        ],
    )
    removed = forms.BooleanField(label=_("只看已移除"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        from shequ.registry.choices import LivingStatus, ResidenceType
        from shequ.registry.models import KeyPopulationTag
        from shequ.registry.selectors_search import address_areas

        super().__init__(*args, **kwargs)
        from shequ.registry.labels import visible_kinds

        self.fields["tags"].choices = list(
            KeyPopulationTag.objects.filter(visible_kinds(actor), is_active=True).values_list(
                "code", "name"
            )
        )
        self.fields["residence_type"].choices = _BLANK + list(ResidenceType.choices)
        self.fields["living_status"].choices = _BLANK + list(LivingStatus.choices)
        areas = address_areas(actor=actor) if actor is not None else []
        self.fields["area"].choices = _BLANK + areas

    def filters(self):
        from shequ.registry.selectors_search import ResidentFilters

        data = self.cleaned_data
        return ResidentFilters(
            query=data.get("q") or "",
            tags=data.get("tags") or [],
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            residence_type=data.get("residence_type") or "",
            living_status=data.get("living_status") or "",
            area_id=data.get("area"),
            room=data.get("room") or "",
            id_last4=data.get("id_last4") or "",
            sort=data.get("sort") or "name",
            removed=bool(data.get("removed")),
        )


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("xlsx", "Excel (xlsx)"), ("csv", "CSV")], initial="xlsx")


# --------------------------------------------------------------------------
# Editing the ledger
# --------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Carries the version the page was drawn from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class HouseholdForm(forms.Form):
    area = forms.TypedChoiceField(label=_("单元或楼栋"), coerce=int)
    room = forms.CharField(label=_("门牌号/室"), max_length=20, required=False)
    number = forms.CharField(label=_("户号"), max_length=30, required=False)

    def __init__(self, *args, actor=None, **kwargs):
        from shequ.registry.selectors_search import household_areas

        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [
            (a.pk, f"{a.name}（{a.get_level_display()}）") for a in household_areas(actor=actor)
        ]


class ResidentForm(VersionedForm):
    """A resident's details. On an edit, the ID, phone and document number
    fields start empty (the page never holds the full numbers): left empty,
    they stay as they are."""

    SECRETS = ("id_number", "mobile", "other_phone", "id_document_number")

    HOW = [("register", _("登记")), ("move_in", _("迁入")), ("birth", _("出生"))]

    how = forms.ChoiceField(label=_("登记方式"), choices=HOW, initial="register")
    origin = forms.CharField(label=_("迁入前住址"), max_length=200, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False, initial="汉族")
    id_number = forms.CharField(label=_("公民身份号码"), max_length=30, required=False)
    birth_date = forms.DateField(
        label=_("出生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mobile = forms.CharField(label=_("手机号"), max_length=30, required=False)
    other_phone = forms.CharField(
        label=_("其他电话"),
        max_length=40,
        required=False,
        help_text=_("固定电话请带区号，如 0411-84567890，分机写“转123”；也可填第二个手机号。"),
    )
    id_document_type = forms.ChoiceField(label=_("证件类型"), required=False)
    id_document_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        required=False,
        help_text=_("境外人员及港澳台居民无公民身份号码时填写护照、通行证等证件。"),
    )
    residence_type = forms.ChoiceField(label=_("人口类型"))
    living_status = forms.ChoiceField(label=_("居住状态"))
    relation_to_head = forms.ChoiceField(label=_("与户主关系"))
    registered_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    work_or_school = forms.CharField(label=_("工作单位或学校"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)

    def __init__(self, *args, resident=None, **kwargs):
        from shequ.core.iddocuments import IdDocumentType
        from shequ.registry.choices import Gender, LivingStatus, Relation, ResidenceType

        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = _BLANK + list(Gender.choices)
        self.fields["id_document_type"].choices = _BLANK + list(IdDocumentType.choices)
        self.fields["residence_type"].choices = list(ResidenceType.choices)
        self.fields["living_status"].choices = list(LivingStatus.choices)
        self.fields["relation_to_head"].choices = list(Relation.choices)
        self.fields["relation_to_head"].initial = Relation.OTHER
        self.fields["gender"].help_text = _("填写身份证号时可不选，将从号码中读取。")
        if resident is None:
            del self.fields["reason"]
            del self.fields["version"]
            return
        del self.fields["how"]
        del self.fields["origin"]
        self.fields["reason"].required = True
        self.fields["id_number"].help_text = _("当前：%(m)s。留空表示不修改。") % {
            "m": resident.id_number_masked or "—"
        }
        self.fields["mobile"].help_text = _("当前：%(m)s。留空表示不修改。") % {
            "m": resident.mobile_masked or "—"
        }
        self.fields["other_phone"].help_text = _("当前：%(m)s。留空表示不修改。") % {
            "m": resident.other_phone_masked or "—"
        }
        self.fields["id_document_number"].help_text = _("当前：%(m)s。留空表示不修改。") % {
            "m": resident.id_document_number_masked or "—"
        }
        for secret in self.SECRETS:  # the page never holds a full number
            self.initial[secret] = ""

    def service_data(self, *, editing: bool) -> dict:
        from shequ.registry.services import RESIDENT_FIELDS

        data = {k: v for k, v in self.cleaned_data.items() if k in RESIDENT_FIELDS}
        if editing:
            for secret in self.SECRETS:
                if not (data.get(secret) or "").strip():
                    data.pop(secret, None)
            if "id_number" not in data and not data.get("birth_date"):
                data.pop("birth_date", None)
            if not data.get("gender"):
                data.pop("gender", None)
        return data


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("原因"), max_length=200)


class OptionalReasonForm(VersionedForm):
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class MoveOutForm(VersionedForm):
    destination = forms.CharField(label=_("迁往"), max_length=200)
    occurred_on = forms.DateField(
        label=_("迁出日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class DeathForm(VersionedForm):
    occurred_on = forms.DateField(
        label=_("死亡日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class MoveHouseholdForm(VersionedForm):
    household = forms.IntegerField(label=_("迁入户的编号"), min_value=1)
    relation_to_head = forms.ChoiceField(label=_("与新户主关系"))
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from shequ.registry.choices import Relation

        super().__init__(*args, **kwargs)
        self.fields["relation_to_head"].choices = list(Relation.choices)
        self.fields["relation_to_head"].initial = Relation.OTHER


class ChangeHeadForm(VersionedForm):
    new_head = forms.TypedChoiceField(label=_("新户主"), coerce=int)
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].choices = [(m.pk, m.name) for m in members]


class TagForm(forms.Form):
    tag = forms.ChoiceField(label=_("重点人群"))
    valid_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from shequ.registry.models import KeyPopulationTag

        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = list(
            KeyPopulationTag.objects.filter(is_active=True).values_list("code", "name")
        )


class RentalForm(forms.Form):
    landlord_name = forms.CharField(label=_("房东姓名"), max_length=50, required=False)
    landlord = forms.TypedChoiceField(
        label=_("房东（本户成员）"), coerce=int, required=False, empty_value=None
    )
    tenants = forms.TypedMultipleChoiceField(
        label=_("租户"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    lease_start = forms.DateField(
        label=_("租期开始"), widget=forms.DateInput(attrs={"type": "date"})
    )
    lease_end = forms.DateField(
        label=_("租期结束"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("备注"), max_length=2000, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.pk, m.name) for m in members]
        self.fields["landlord"].choices = _BLANK + choices
        self.fields["tenants"].choices = choices


class RentalEndForm(forms.Form):
    rental = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("结束原因"), max_length=200, required=False)
