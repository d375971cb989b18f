"""Web forms of the volunteers app. They parse and check shapes; the rules
live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Level
from shequ.core.models import Area
from shequ.volunteers.choices import (
    Action,
    BuildingPost,
    CertificateLevel,
    GroupKind,
    OrganizationStatus,
    ResourceKind,
)
from shequ.volunteers.models import Organization, Volunteer
from shequ.volunteers.selectors import communities_for

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _StaffForm(forms.Form):
    community = CommunityField(label=_("社区"), queryset=Area.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user, Action.MANAGE)


class VolunteerForm(_StaffForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False)
    emergency_ready = forms.BooleanField(label=_("可参加应急任务"), required=False)


class JoinForm(forms.Form):
    """A person registers as a volunteer, and a party member reports to their
    home community (双报到)."""

    community = CommunityField(
        label=_("所在社区"), queryset=Area.objects.filter(level=Level.COMMUNITY)
    )
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False)
    emergency_ready = forms.BooleanField(label=_("可参加应急任务"), required=False)
    board_anonymous = forms.BooleanField(label=_("时长晾晒时匿名显示"), required=False)
    work_unit = forms.CharField(
        label=_("在职党员所在单位（党员填写，办理双报到）"), max_length=100, required=False
    )


class ProfileForm(forms.Form):
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False)
    emergency_ready = forms.BooleanField(label=_("可参加应急任务"), required=False)
    board_anonymous = forms.BooleanField(label=_("时长晾晒时匿名显示"), required=False)


class ActivityForm(_StaffForm):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    capacity = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=10000)
    skills = forms.CharField(label=_("所需技能"), max_length=200, required=False)
    description = forms.CharField(
        label=_("活动内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SpanForm(forms.Form):
    """The organiser's view of when someone served (attendance or confirmation)."""

    started_at = forms.DateTimeField(label=_("开始"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=_("结束"), widget=DATETIME)

    @classmethod
    def for_span(cls, start, end, prefix=None):
        return cls(initial={"started_at": _local(start), "ended_at": _local(end)}, prefix=prefix)


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(
        label=_("更正后的时长（小时）"), min_value=0, max_value=24, decimal_places=2
    )
    reason = forms.CharField(label=_("更正原因"), max_length=200)


class RewardForm(_StaffForm):
    name = forms.CharField(label=_("礼品名称"), max_length=100)
    points_cost = forms.IntegerField(label=_("所需积分"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("库存"), min_value=0, max_value=100000)
    per_person_limit = forms.IntegerField(
        label=_("每人限兑"), min_value=1, max_value=100, initial=1
    )
    description = forms.CharField(label=_("说明"), max_length=300, required=False)


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)
    skill = forms.CharField(label=_("技能"), max_length=50, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=50, required=False)
    emergency = forms.BooleanField(label=_("仅应急可用"), required=False)
    party = forms.BooleanField(label=_("仅下沉党员"), required=False)
    inactive = forms.BooleanField(label=_("含已停用"), required=False)


# --- five forces: what a community adds to its forces database ---------------------


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    status = forms.ChoiceField(label=_("登记状态"), choices=OrganizationStatus.choices)
    service_areas = forms.CharField(label=_("服务领域"), max_length=200, required=False)


class SocialWorkerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    certificate_level = forms.ChoiceField(label=_("证书等级"), choices=CertificateLevel.choices)
    organization = forms.ModelChoiceField(
        label=_("所属组织"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(area_path=community.path)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=GroupKind.choices)
    leader = forms.ModelChoiceField(
        label=_("队长"), queryset=Volunteer.objects.none(), required=False
    )
    members = forms.ModelMultipleChoiceField(
        label=_("成员"), queryset=Volunteer.objects.none(), required=False
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        people = Volunteer.objects.filter(area_path=community.path, is_active=True)
        self.fields["leader"].queryset = people
        self.fields["members"].queryset = people


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=ResourceKind.choices)
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    donor = forms.CharField(label=_("捐赠方"), max_length=100, required=False)
    received_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class PostForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=Volunteer.objects.none())
    area = forms.ModelChoiceField(label=_("楼栋/区域"), queryset=Area.objects.none())
    post = forms.ChoiceField(label=_("岗位"), choices=BuildingPost.choices)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.filter(
            area_path=community.path, is_active=True
        )
        self.fields["area"].queryset = Area.objects.filter(
            path__startswith=community.path + ".",
            level__in=[Level.GRID, Level.ESTATE, Level.BUILDING],
        )


FORCE_FORMS = {
    "organization": (OrganizationForm, _("登记社会组织")),
    "social_worker": (SocialWorkerForm, _("登记社会工作者")),
    "group": (GroupForm, _("组建志愿服务队/应急小组")),
    "resource": (ResourceForm, _("登记慈善资源")),
    "post": (PostForm, _("安排楼栋一长二员/小巷管家")),
}


class RulesForm(forms.Form):
    """The policy and the five star levels on one page."""

    points_per_hour = forms.IntegerField(label=_("每小时积分"), min_value=0, max_value=10000)
    points_per_activity = forms.IntegerField(label=_("每次活动积分"), min_value=0, max_value=10000)
    points_per_order = forms.IntegerField(label=_("每完成一单积分"), min_value=0, max_value=10000)
    duty_services = forms.IntegerField(label=_("党员每月至少服务次数"), min_value=0, max_value=31)
    duty_hours = forms.DecimalField(
        label=_("每次至少服务小时"), min_value=0, max_value=24, decimal_places=1
    )
    remind_days = forms.IntegerField(label=_("月底前几天提醒"), min_value=0, max_value=28)
    order_hours_cap = forms.DecimalField(
        label=_("每张服务单最多计入小时"), min_value=0, max_value=24, decimal_places=1
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.star_numbers = [level.stars for level in levels]
        for level in levels:
            self.fields[f"hours_{level.stars}"] = forms.IntegerField(
                label=_("%(n)s星所需累计时长（小时）") % {"n": level.stars},
                min_value=1,
                max_value=100000,
                initial=level.min_hours,
            )
            self.fields[f"benefits_{level.stars}"] = forms.CharField(
                label=_("%(n)s星礼遇") % {"n": level.stars},
                max_length=1000,
                required=False,
                initial=level.benefits,
            )

    def split(self) -> tuple[dict, list[tuple[int, int, str]]]:
        data = self.cleaned_data
        policy = {name: data[name] for name in self.base_fields}
        levels = [(n, data[f"hours_{n}"], data[f"benefits_{n}"]) for n in self.star_numbers]
        return policy, levels


# --- editing groups, volunteers and building posts -------------------------------


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class GroupEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    leader = VolunteerChoiceField(
        label=_("队长"),
        queryset=Volunteer.objects.none(),
        required=False,
        help_text=_("队长须为本队成员；要换成新人，请先把他加入本队。"),
    )

    def __init__(self, *args, group, **kwargs):
        kwargs.setdefault("initial", {"name": group.name, "leader": group.leader_id})
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = group.members.filter(is_active=True).order_by("name")


class MemberAddForm(forms.Form):
    volunteer = VolunteerChoiceField(label=_("加入成员"), queryset=Volunteer.objects.none())

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            Volunteer.objects.filter(area_path=group.area_path, is_active=True)
            .exclude(groups=group)
            .order_by("name")
        )


class VolunteerEditForm(forms.Form):
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False)
    emergency_ready = forms.BooleanField(label=_("可参加应急任务"), required=False)


class PostEditForm(forms.Form):
    post = forms.ChoiceField(label=_("岗位"), choices=BuildingPost.choices)
