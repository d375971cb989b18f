"""What other apps may listen to, instead of reaching into the engine.

``transitioned`` is sent once per transition of a case (intake included, as
``"create"``), inside the transition's transaction, after the row and its
timeline entry are written and just before its audit line. Receivers run in that same
transaction: what they write commits or rolls back with the transition, so
they must be quick and idempotent (a volunteer's hours credited once, a
statistics counter moved once). Arguments: ``order`` (the case as it now is),
``transition`` (the name in ``states.TRANSITIONS``), ``before`` (the state it
left), ``actor`` (a ``User`` or None for the system)."""

from django.dispatch import Signal

transitioned = Signal()
