"""An import of a ledger spreadsheet, from upload to commit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("检查中")
    VALIDATED = "validated", _("已检查")
    COMMITTING = "committing", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class CommitMode(models.TextChoices):
    VALID_ONLY = "valid_only", _("只导入无错误的行")
    ALL_OR_NOTHING = "all_or_nothing", _("全部无误才导入")


class DuplicateMode(models.TextChoices):
    SKIP = "skip", _("跳过重复的人")
    UPDATE = "update", _("用表格内容更新")


class ImportJob(models.Model):
    """A community worker's spreadsheet on its way into the ledger (台账导入).

    The file is kept under a private, random storage name only while the job
    needs it (upload → dry run → commit) and removed when the job ends. The
    job survives the browser closing: the worker comes back to it from the
    import list. ``area_path`` scopes it like the rows it writes.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入到")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_kind = models.CharField(max_length=8)
    file_size = models.PositiveBigIntegerField(default=0)
    stored_file = models.CharField(max_length=200, blank=True)
    rejected_file = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    mapping = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    commit_mode = models.CharField(max_length=16, choices=CommitMode.choices, blank=True)
    duplicate_mode = models.CharField(
        max_length=8, choices=DuplicateMode.choices, default=DuplicateMode.SKIP
    )
    progress = models.PositiveSmallIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    failed_row = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.state in (ImportState.VALIDATING, ImportState.COMMITTING)


class ImportProblem(models.Model):
    """One thing wrong (error) or worth a look (warning) in one row of an import."""

    class Level(models.TextChoices):
        ERROR = "error", _("错误")
        WARNING = "warning", _("提醒")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    sheet = models.CharField(max_length=100)
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name = _("导入问题")
        verbose_name_plural = _("导入问题")

    def __str__(self) -> str:
        return f"{self.sheet}:{self.row} {self.message}"
