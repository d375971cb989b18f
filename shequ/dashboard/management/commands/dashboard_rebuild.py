import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from shequ.dashboard.services import rebuild


class Command(BaseCommand):
    help = _("根据工单重新计算统计数据（安装后或数据修复后运行）。")

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = rebuild()
        self.stdout.write(
            _("统计已重建：%(rows)s 行，用时 %(s).1f 秒。")
            % {"rows": rows, "s": time.monotonic() - started}
        )
