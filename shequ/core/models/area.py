from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import LEVEL_ORDER, Level

PATH_SEPARATOR = "."


class Area(models.Model):
    """A place in the city's governance tree: city, district, street, community,
    grid, estate, building or unit.

    ``path`` is the materialized path of codes from the city down
    ("210200.210202.003.017"). Rows elsewhere carry the path of the area they
    belong to, so "everything under this street" is one indexed prefix scan.
    Only ``services.areas`` writes it; a move rewrites every path below.
    """

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    code = models.CharField(
        _("编码"),
        max_length=20,
        help_text=_("市、区县使用 GB/T 2260 行政区划代码；其他层级使用本级编号"),
    )
    name = models.CharField(_("名称"), max_length=100)
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "path"

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "code"], name="area_code_unique_in_parent"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(parent__isnull=True),
                name="area_root_code_unique",
            ),
        ]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self) -> str:
        return self.name

    @property
    def level_rank(self) -> int:
        return LEVEL_ORDER.index(self.level)

    def ancestor_paths(self) -> list[str]:
        parts = self.path.split(PATH_SEPARATOR)
        return [PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts) - 1)]

    def ancestors(self) -> models.QuerySet["Area"]:
        return Area.objects.filter(path__in=self.ancestor_paths()).order_by("depth")

    def is_within(self, path: str) -> bool:
        return self.path == path or self.path.startswith(path + PATH_SEPARATOR)
