"""Every change to a work order. Each function is one transaction that checks
the state machine (``states.TRANSITIONS``) and the actor (``permissions``),
changes the row with a conditional UPDATE (so two people acting at once
cannot both win), and writes the typed timeline entry and the audit row.

``actor=None`` is the system itself (commands, tasks, the demo generator).
Errors: ``IllegalTransition``/``AlreadyClaimed`` (409), ``StaleVersion``
(412) when ``expected_version`` no longer matches, ``Forbidden`` (403) for
someone who can see the case but may not do this, ``InvalidInput`` (400).
"""

from shequ.workorders.services.deadlines import (
    overdue_condition,
    run_deadlines,
    workorder_escalate_overdue,
    workorder_expire_claims,
    workorder_pause,
    workorder_resume,
    workorder_send_reminders,
)
from shequ.workorders.services.duplicates import near_duplicates, workorder_merge
from shequ.workorders.services.flow import (
    workorder_add_note,
    workorder_claim,
    workorder_close,
    workorder_dispatch,
    workorder_hand_off,
    workorder_rate,
    workorder_release,
    workorder_resolve,
    workorder_start,
    workorder_triage,
)
from shequ.workorders.services.intake import workorder_create, workorder_update
from shequ.workorders.services.numbering import next_number
from shequ.workorders.services.whistle import (
    whistle_acknowledge,
    whistle_escalate_late,
    whistle_report,
    workorder_whistle,
)

__all__ = [
    "near_duplicates",
    "next_number",
    "workorder_merge",
    "overdue_condition",
    "run_deadlines",
    "whistle_acknowledge",
    "whistle_escalate_late",
    "whistle_report",
    "workorder_expire_claims",
    "workorder_pause",
    "workorder_resume",
    "workorder_send_reminders",
    "workorder_whistle",
    "workorder_add_note",
    "workorder_claim",
    "workorder_close",
    "workorder_create",
    "workorder_dispatch",
    "workorder_escalate_overdue",
    "workorder_hand_off",
    "workorder_rate",
    "workorder_release",
    "workorder_resolve",
    "workorder_start",
    "workorder_triage",
    "workorder_update",
]
