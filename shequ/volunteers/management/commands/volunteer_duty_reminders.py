"""Remind the embedded party members who have not yet met this month's duty,
once the month is within ``Policy.remind_days`` of its end: each gets one
inbox message a month (``services.reminders``). A scheduler runs this daily;
``--dry-run`` only lists them."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shequ.volunteers.selectors import duty_reminders
from shequ.volunteers.services.reminders import duty_reminders_send


class Command(BaseCommand):
    help = "提醒本月尚未完成双报到服务的下沉党员（站内消息，每人每月一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD, default today")
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        if options["dry_run"]:
            members = duty_reminders(today=today)
            for m in members:
                self.stdout.write(f"{m.community.name}\t{m.work_unit.name}\t{m.volunteer.name}")
            self.stdout.write(f"{len(members)} to remind")
            return
        sent = duty_reminders_send(today=today)
        self.stdout.write(f"{len(sent)} reminded")
