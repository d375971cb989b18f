"""Every change the field app makes: one transaction each, scoped and audited."""

from shequ.field.services.instructions import (
    assignment_acknowledge,
    assignment_complete,
    instruction_send,
)
from shequ.field.services.outposts import outpost_schedule, outpost_service_record
from shequ.field.services.proposals import proposal_decide
from shequ.field.services.reports import ReportResult, report_record
from shequ.field.services.visits import SyncResult, need_convert, visit_record
from shequ.field.services.worklog import worklog_comment_add, worklog_note_add

__all__ = [
    "outpost_schedule",
    "outpost_service_record",
    "ReportResult",
    "report_record",
    "SyncResult",
    "assignment_acknowledge",
    "assignment_complete",
    "instruction_send",
    "need_convert",
    "proposal_decide",
    "visit_record",
    "worklog_comment_add",
    "worklog_note_add",
]
