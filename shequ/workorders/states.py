"""The one state machine of every work order, declared here and nowhere else.

::

    reported ─triage→ triaged ─dispatch→ dispatched ─start→ in_progress ─resolve→ resolved ─close→ closed
                         │          └──→ pooled ─claim→ claimed ─start┘                                │
                         │                  ↑─release──┘                                              │
                         └─close (private: guidance to the resident)→ closed            rate ≤ 2, once ┘
                                                                       closed ─rate→ reopened ─triage/dispatch→ …

Each transition names who may fire it. ``services`` checks this table before
anything changes; the work-order page and the API offer exactly what it allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from shequ.workorders.choices import Action, State


class Who:
    """Kinds of actor a transition accepts, besides the role actions."""

    REPORTER = "reporter"  # the person who raised the case
    HANDLER = "handler"  # the assigned handler (or a member of the assigned department)
    OWNER = "owner"  # the first-contact owner


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (notes, reclass, hand-off)
    who: tuple[str, ...]  # any of these: a role action held on the order's area, or a Who


def _t(name: str, sources: set[str], target: str | None, *who: str) -> Transition:
    return Transition(name, frozenset(sources), target, tuple(who))


_ACTIVE = {
    State.REPORTED,
    State.TRIAGED,
    State.DISPATCHED,
    State.POOLED,
    State.CLAIMED,
    State.IN_PROGRESS,
    State.RESOLVED,
    State.REOPENED,
}

# Where a case may wait for the resident: before it is resolved.
_WORKING = _ACTIVE - {State.RESOLVED}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # Triage (and re-class with a reason) before anyone is sent.
        _t("triage", {State.REPORTED, State.TRIAGED, State.REOPENED}, State.TRIAGED, Action.TRIAGE),
        # To a grid worker or a department (dispatched), or to the open pool (pooled).
        _t("dispatch", {State.TRIAGED, State.REOPENED}, State.DISPATCHED, Action.DISPATCH),
        _t("claim", {State.POOLED}, State.CLAIMED, Action.CLAIM),
        _t("release", {State.CLAIMED}, State.POOLED, Who.HANDLER, Action.DISPATCH),
        _t("start", {State.DISPATCHED, State.CLAIMED}, State.IN_PROGRESS, Who.HANDLER),
        _t("note", _ACTIVE, None, Who.HANDLER, Who.OWNER, Action.VIEW),
        _t("resolve", {State.IN_PROGRESS}, State.RESOLVED, Who.HANDLER),
        # Resolved cases are closed by the community; private ones straight after triage.
        _t("close", {State.RESOLVED, State.TRIAGED}, State.CLOSED, Action.DISPATCH),
        _t("rate", {State.CLOSED}, None, Who.REPORTER),
        _t("reopen", {State.CLOSED}, State.REOPENED, Who.REPORTER),  # only through a low rating
        _t("hand_off", _ACTIVE, None, Who.OWNER),
        _t("update", {State.REPORTED, State.TRIAGED}, None, Action.TRIAGE, Who.OWNER),
        # The clocks stop while the case waits for the resident, and resume after.
        _t("pause", _WORKING, None, Who.HANDLER, Who.OWNER, Action.DISPATCH),
        _t("resume", _WORKING, None, Who.HANDLER, Who.OWNER, Action.DISPATCH),
        # A near-duplicate is closed into the case kept (both timelines stay).
        _t("merge", _WORKING, State.CLOSED, Action.MERGE),
    )
}

# The transitions a person fires from the case page (the others happen inside services).
USER_TRANSITIONS = (
    "triage",
    "dispatch",
    "claim",
    "release",
    "start",
    "note",
    "resolve",
    "close",
    "rate",
    "hand_off",
    "pause",
    "resume",
)


def allowed_from(state: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if state in t.sources]
