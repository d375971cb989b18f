"""The people who serve beyond the staff (志愿者、下沉党员), their groups and
partners, the activities they serve in, the hours they earn, the points they
spend, and the rules (star levels, points, monthly duty) that are data.

Every scoped row carries ``area_path``: the path of the community it belongs
to, so "everything in this street" is one indexed prefix match. Every change
goes through ``services``; reads through ``selectors``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area
from shequ.volunteers.choices import (
    BuildingPost,
    CertificateLevel,
    GroupKind,
    OrganizationStatus,
    OrganizerKind,
    PartyMemberStatus,
    PointReason,
    RecordSource,
    RecordStatus,
    RedemptionStatus,
    ResourceKind,
    SignUpStatus,
)


class Policy(models.Model):
    """The installation's volunteer rules, one row (pk 1) an administrator
    edits: points per hour / activity / order, the party members' monthly
    duty (Daye: at least once a month, two hours each time), when reminders
    start, and how many hours a service order may credit at most."""

    points_per_hour = models.PositiveIntegerField(_("每小时积分"), default=10)
    points_per_activity = models.PositiveIntegerField(_("每次活动积分"), default=5)
    points_per_order = models.PositiveIntegerField(_("每完成一单积分"), default=10)
    duty_services = models.PositiveSmallIntegerField(_("每月至少服务次数"), default=1)
    duty_hours = models.DecimalField(
        _("每次至少服务小时"), max_digits=4, decimal_places=1, default=Decimal("2")
    )
    remind_days = models.PositiveSmallIntegerField(_("月底前几天提醒"), default=7)
    order_hours_cap = models.DecimalField(
        _("每张服务单最多计入小时"), max_digits=4, decimal_places=1, default=Decimal("4")
    )

    class Meta:
        verbose_name = _("志愿服务规则")
        verbose_name_plural = _("志愿服务规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "Policy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class StarLevel(models.Model):
    """One star of the volunteer star standard: the cumulative confirmed hours
    it takes and the benefits it brings (free buses, scenic spots, cinema…).
    Defaults follow the national standard: 100/300/600/1000/1500 h."""

    stars = models.PositiveSmallIntegerField(_("星级"), unique=True)
    min_hours = models.PositiveIntegerField(_("累计时长（小时）"))
    benefits = models.TextField(_("礼遇"), blank=True, max_length=1000)

    class Meta:
        ordering = ["stars"]
        verbose_name = _("星级标准")
        verbose_name_plural = _("星级标准")

    def __str__(self) -> str:
        return "★" * self.stars


class WorkUnit(models.Model):
    """The government unit or enterprise where an embedded party member works
    (在职党员所在单位); its monthly report goes back to it."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("党员所在单位")
        verbose_name_plural = _("党员所在单位")

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A person who serves the community: a resident of the ledger or someone
    from outside. Hours, star level, points and the volunteer card hang here;
    an embedded party member has one too."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
        verbose_name=_("登录账户"),
    )
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("底账居民"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    emergency_ready = models.BooleanField(_("可参加应急任务"), default=False)
    board_anonymous = models.BooleanField(_("时长晾晒时匿名"), default=False)
    hours_total = models.DecimalField(
        _("累计时长"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    points = models.IntegerField(_("积分余额"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # A volunteer who stopped serving stays on record (hours, points, card
    # history) but is no longer called, grouped or posted.
    is_active = models.BooleanField(_("在册"), default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=0), name="volunteers_points_never_negative"
            )
        ]
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")

    def __str__(self) -> str:
        return self.name

    def skill_list(self) -> list[str]:
        return [s for s in self.skills.replace("，", ",").split(",") if s.strip()]


class PartyMember(models.Model):
    """An embedded party member (下沉党员): a party member of a unit who also
    reports to the community where they live (双报到), confirmed by it, and
    serves there at least once a month."""

    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.CASCADE, related_name="party_member"
    )
    work_unit = models.ForeignKey(
        WorkUnit, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在单位")
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("报到社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PartyMemberStatus.choices,
        default=PartyMemberStatus.PENDING,
    )
    registered_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "id"]
        verbose_name = _("下沉党员")
        verbose_name_plural = _("下沉党员")

    def __str__(self) -> str:
        return self.volunteer.name


class Organization(models.Model):
    """A social organisation (社会组织) serving a community: registered or filed,
    with the fields it serves in."""

    name = models.CharField(_("名称"), max_length=100)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    status = models.CharField(_("登记状态"), max_length=16, choices=OrganizationStatus.choices)
    service_areas = models.CharField(_("服务领域"), max_length=200, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "name"]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")

    def __str__(self) -> str:
        return self.name


class SocialWorker(models.Model):
    """A professional social worker (社会工作者) serving a community."""

    name = models.CharField(_("姓名"), max_length=50)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    certificate_level = models.CharField(
        _("证书等级"), max_length=16, choices=CertificateLevel.choices
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_workers",
        verbose_name=_("所属组织"),
    )

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "name"]
        verbose_name = _("社会工作者")
        verbose_name_plural = _("社会工作者")

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """A volunteer service group or an emergency group of a community (两组),
    with its leader and members: who to call in peacetime and in an emergency."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=GroupKind.choices)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    leader = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("队长"),
    )
    members = models.ManyToManyField(
        Volunteer, blank=True, related_name="groups", verbose_name=_("成员")
    )
    # A disbanded group is kept (activities it organised point at it), not deleted.
    is_active = models.BooleanField(_("在用"), default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "kind", "name"]
        verbose_name = _("志愿服务队/应急小组")
        verbose_name_plural = _("志愿服务队/应急小组")

    def __str__(self) -> str:
        return self.name


class BuildingTeamMember(models.Model):
    """One post of a building's team (一长二员: 楼长、信息员、保障员) or an alley
    steward (小巷管家), held by a volunteer."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="posts")
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋/区域")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    post = models.CharField(_("岗位"), max_length=16, choices=BuildingPost.choices)
    # When the volunteer stepped down; the row stays as the building's history.
    ended_at = models.DateTimeField(_("卸任时间"), null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "post"]
        verbose_name = _("楼栋队伍")
        verbose_name_plural = _("楼栋队伍")

    def __str__(self) -> str:
        return f"{self.area} {self.get_post_display()}"


class CharityResource(models.Model):
    """Money, goods or services a donor gives a community (社会慈善资源)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=ResourceKind.choices)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    donor = models.CharField(_("捐赠方"), max_length=100, blank=True)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    received_on = models.DateField(_("日期"), default=timezone.localdate)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-received_on", "id"]
        verbose_name = _("慈善资源")
        verbose_name_plural = _("慈善资源")

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A volunteer activity a community, a social organisation or a group
    organises: when, where, how many people, which skills. People sign up,
    check in and out by QR, and the organiser confirms their hours."""

    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True, max_length=2000)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    organizer_kind = models.CharField(
        _("组织方"), max_length=16, choices=OrganizerKind.choices, default=OrganizerKind.COMMUNITY
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    place = models.CharField(_("地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("招募人数"))
    skills = models.CharField(_("所需技能"), max_length=200, blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["area_path", "starts_at"], name="volunteers_act_when")]
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    """One person's place in an activity: confirmed or on the waiting list,
    and when they checked in and out on site."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=SignUpStatus.choices)
    signed_up_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="volunteers_signup_once")
        ]
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.volunteer_id}"


class ServiceRecord(models.Model):
    """A span of service (志愿服务时长): from an activity (check-in to
    check-out, confirmed by the organiser) or from a completed service order
    (confirmed by the community closing it). ``hours`` is what counts: the
    span minus any time already counted in another confirmed record, or the
    corrected value."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    source = models.CharField(_("来源"), max_length=16, choices=RecordSource.choices)
    signup = models.OneToOneField(
        SignUp, null=True, blank=True, on_delete=models.PROTECT, related_name="record"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    order_id = models.PositiveBigIntegerField(_("工单"), null=True, blank=True, unique=True)
    title = models.CharField(_("服务内容"), max_length=120)
    started_at = models.DateTimeField(_("开始"))
    ended_at = models.DateTimeField(_("结束"))
    service_date = models.DateField(_("服务日期"), db_index=True)
    hours = models.DecimalField(_("计入时长"), max_digits=5, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["volunteer", "service_date"], name="volunteers_rec_day"),
            models.Index(fields=["area_path", "service_date"], name="volunteers_rec_area_day"),
        ]
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")

    def __str__(self) -> str:
        return f"{self.volunteer} {self.title}"


class Reward(models.Model):
    """An item of a community's points catalog (积分兑换): its price in points,
    the stock left, and how many one person may take."""

    name = models.CharField(_("礼品名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    points_cost = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"))
    per_person_limit = models.PositiveSmallIntegerField(_("每人限兑"), default=1)
    is_active = models.BooleanField(_("上架"), default=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["points_cost", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="volunteers_stock_never_negative"
            )
        ]
        verbose_name = _("兑换礼品")
        verbose_name_plural = _("兑换礼品")

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """A volunteer's exchange of points for a reward, waiting for staff to
    hand it over (or cancelled, the points and stock returned)."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="redemptions")
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    points = models.PositiveIntegerField(_("积分"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.PENDING,
    )
    created_at = models.DateTimeField(default=timezone.now)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")

    def __str__(self) -> str:
        return f"{self.volunteer} {self.reward}"


class PointEntry(models.Model):
    """One line of a volunteer's points ledger: a credit (hours, an activity,
    an order) or a debit (a redemption), with the balance after it."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="point_entries")
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    delta = models.IntegerField(_("积分变动"))
    balance = models.IntegerField(_("余额"))
    reason = models.CharField(_("原因"), max_length=16, choices=PointReason.choices)
    record = models.ForeignKey(
        ServiceRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redemption = models.ForeignKey(
        Redemption, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.delta:+d}"
