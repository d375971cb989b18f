"""The ledger (数字化底账): households, residents and key-population tags.

Writes go through ``services``; reads through ``selectors``. Every row carries
``area_path`` (copied from its address) so scoping is one indexed prefix match.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField, mask_id_number, mask_mobile
from shequ.core.iddocuments import IdDocumentType, mask_document
from shequ.core.models import Area
from shequ.core.phones import mask_phone
from shequ.registry.choices import Gender, LivingStatus, Relation, ResidenceType, SecurityLabel


class Household(models.Model):
    """A household (户): the people living at one door, a room in a stairway
    unit (or a scattered house registered on its building). It is what the
    grid worker knocks on, what the community counts (one worker per 200
    households) and what the head (户主) answers for.

    Households are never deleted: a soft removal keeps the row, the reason and
    the time, so history and audit stay whole.
    """

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单元或楼栋")
    )
    room = models.CharField(_("门牌号/室"), max_length=20, blank=True)
    number = models.CharField(_("户号"), max_length=30, blank=True)
    head = models.ForeignKey(
        "Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("户主"),
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(_("注销原因"), max_length=200, blank=True)
    # Optimistic locking: every service write adds one; a form or PATCH that
    # carries an older number is refused instead of overwriting someone's work.
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "room", "id"]
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return f"{self.area.name} {self.room}".strip() if self.area_id else self.room

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Resident(models.Model):
    """A person in the ledger (居民): who they are, where they live, how to
    reach them, and whether they need the community's care.

    The national ID number and the mobile are personal data protected by law:
    stored encrypted, found through keyed blind indexes, shown masked unless a
    permitted worker reveals them with a reason. One ID number is one resident
    across the whole installation (``id_number_index`` is unique). Residents
    are never deleted; moving out or dying is a soft removal with a reason.
    """

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("户")
    )
    name = models.CharField(_("姓名"), max_length=50)
    # Lower-case pinyin without separators ("zhangsan") and its initials ("zs"),
    # kept for search by people who type on a phone keyboard.
    # Indexed for prefix search only (Meta.indexes): a plain btree would also
    # serve ORDER BY name_pinyin, and PostgreSQL then walks it for a scoped
    # "张" search, reading most of the table (docs/performance.md).
    name_pinyin = models.CharField(max_length=200, editable=False)
    name_initials = models.CharField(max_length=50, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = EncryptedTextField(_("公民身份号码"), null=True, blank=True)
    id_number_index = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Keyed hash of the ID's last four characters: the "尾号" search of the
    # service counter, an exact match without decrypting anything. Not unique.
    id_last4_index = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, db_index=True, editable=False
    )
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    mobile = EncryptedTextField(_("手机号"), null=True, blank=True)
    # NULL, not "", when there is no number: the same convention as id_number_index.
    mobile_index = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, db_index=True, editable=False
    )
    # Another phone (a landline with its area code, or a second mobile):
    # encrypted and found through its own blind index like ``mobile``.
    other_phone = EncryptedTextField(_("其他电话"), null=True, blank=True)
    other_phone_index = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, db_index=True, editable=False
    )
    # A foreign, Hong Kong, Macao or Taiwan resident has no mainland ID: their
    # passport or permit instead. The blind index hashes type and number
    # together, so one document is one resident across the installation.
    id_document_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdDocumentType.choices, blank=True, default=""
    )
    id_document_number = EncryptedTextField(_("证件号码"), null=True, blank=True)
    id_document_index = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    residence_type = models.CharField(
        _("人口类型"),
        max_length=16,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    living_status = models.CharField(
        _("居住状态"), max_length=16, choices=LivingStatus.choices, default=LivingStatus.LIVING
    )
    relation_to_head = models.CharField(
        _("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    registered_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    work_or_school = models.CharField(_("工作单位或学校"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True, max_length=2000)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(_("注销原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Set by the retention run (``registry_retention``): the personal data is
    # gone, the row and its timeline stay for the statistics.
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    scope_path_field = "area_path"
    # Audit snapshots never copy personal numbers, nor their keyed hashes.
    audit_exclude = (
        "id_number",
        "mobile",
        "id_number_index",
        "mobile_index",
        "id_last4_index",
        "other_phone",
        "other_phone_index",
        "id_document_number",
        "id_document_index",
    )

    class Meta:
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(
                fields=["name_pinyin"],
                name="registry_res_pinyin_pattern",
                opclasses=["varchar_pattern_ops"],
            )
        ]
        verbose_name = _("居民")
        verbose_name_plural = _("居民")

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def other_phone_masked(self) -> str:
        return mask_phone(self.other_phone)

    @property
    def id_document_number_masked(self) -> str:
        return mask_document(self.id_document_number)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def age(self, today=None) -> int | None:
        if self.birth_date is None:
            return None
        today = today or timezone.localdate()
        years = today.year - self.birth_date.year
        return years - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))


class KeyPopulationTag(models.Model):
    """A kind of resident the community keeps a closer eye on (重点人群):
    elderly living alone, left-behind children, people with disability,
    minimum-allowance households, veterans, party members… Configuration is
    data: a city adds its own kinds; the defaults come from GLOSSARY.md."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    # Security label (SECURITY.md row 14): a kind that reveals health,
    # disability or social-assistance status is seen and edited only by roles
    # holding that clearance (``registry.labels``); "" is an ordinary kind.
    label = models.CharField(
        _("安全标签"), max_length=16, choices=SecurityLabel.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("重点人群类别")
        verbose_name_plural = _("重点人群类别")

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    """One resident's membership of a key population since a date, with the
    details that kind needs (a disability level, an allowance number…)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(KeyPopulationTag, on_delete=models.PROTECT, related_name="+")
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)
    valid_from = models.DateField(_("起始日期"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tag__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="registry_resident_tag_unique")
        ]
        verbose_name = _("重点人群标记")
        verbose_name_plural = _("重点人群标记")

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.tag_id}"


class Rental(models.Model):
    """Rented housing (出租房屋): a home let by its landlord to tenants for a
    lease. The grid worker checks it on rounds; the floating population it
    houses is what the police station asks the community about. Ending a
    rental keeps the row (``ended_at``), so the history stays."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="rentals", verbose_name=_("出租房屋")
    )
    landlord = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("房东"),
    )
    landlord_name = models.CharField(_("房东姓名"), max_length=50, blank=True)
    tenants = models.ManyToManyField(Resident, related_name="rentals", verbose_name=_("租户"))
    lease_start = models.DateField(_("租期开始"))
    lease_end = models.DateField(_("租期结束"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True, max_length=2000)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(_("结束原因"), max_length=200, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-lease_start", "-id"]
        verbose_name = _("出租房屋")
        verbose_name_plural = _("出租房屋")

    def __str__(self) -> str:
        return f"{self.household} · {self.lease_start:%Y-%m-%d}"

    @property
    def landlord_display(self) -> str:
        return self.landlord.name if self.landlord_id else self.landlord_name


class LifeEventKind(models.TextChoices):
    MOVE_IN = "move_in", _("迁入")
    MOVE_OUT = "move_out", _("迁出")
    MOVE_BETWEEN_HOUSEHOLDS = "move_between_households", _("户间迁移")
    BIRTH = "birth", _("出生")
    DEATH = "death", _("死亡")
    CHANGE_OF_HEAD = "change_of_head", _("变更户主")
    CORRECTION = "correction", _("信息更正")
    REMOVAL = "removal", _("移除")
    RESTORE = "restore", _("恢复")


class LifeEvent(models.Model):
    """Something that happened in a resident's or a household's life, as the
    ledger saw it: moving in or out, a birth, a death, a new head, a
    correction, a removal and its restoration. Written by the service that
    made the change, in the same transaction; never edited, never deleted;
    the resident's timeline is built from these rows. ``details`` holds
    ordinary before/after values, never an ID or mobile number."""

    kind = models.CharField(_("事项"), max_length=32, choices=LifeEventKind.choices)
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="life_events"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="life_events"
    )
    occurred_on = models.DateField(_("发生日期"), default=timezone.localdate)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("人口变动记录")
        verbose_name_plural = _("人口变动记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"


from shequ.registry.importing.models import ImportJob, ImportProblem  # noqa: E402,F401
from shequ.registry.models_transfer import ResidentTransfer  # noqa: E402,F401
