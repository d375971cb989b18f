"""The state machine through its services: every allowed transition, every
forbidden one from every state (409), the wrong actors (403), the timeline
and audit rows each step leaves, rating and reopening, hand-off, versions."""

import re

import pytest

from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import AuditEntry
from shequ.workorders.choices import DispatchTarget, EntryKind, Kind, State, TriageClass
from shequ.workorders.errors import AlreadyClaimed, IllegalTransition, StaleVersion
from shequ.workorders.models import TimelineEntry, WorkOrder
from shequ.workorders.services import (
    workorder_add_note,
    workorder_claim,
    workorder_close,
    workorder_dispatch,
    workorder_hand_off,
    workorder_pause,
    workorder_rate,
    workorder_release,
    workorder_resolve,
    workorder_resume,
    workorder_start,
    workorder_triage,
    workorder_update,
)
from shequ.workorders.states import TRANSITIONS, USER_TRANSITIONS, allowed_from
from shequ.workorders.tests.factories import (
    category,
    claimed,
    closed,
    dispatched,
    make_department,
    make_order,
    photo,
    pooled,
)

pytestmark = pytest.mark.django_db


def kinds(order):
    return list(TimelineEntry.objects.filter(order=order).values_list("kind", flat=True))


def test_an_incident_from_report_to_rating(city, people):
    grid, worker, community = city.grids["A1a"], people["grid_worker"], people["community_worker"]
    audit_before = AuditEntry.objects.count()
    order = make_order(grid, worker)
    assert re.fullmatch(r"GD-\d{8}-0001", order.number)
    assert order.state == State.REPORTED and order.owner == worker and order.reporter == worker
    assert order.respond_by and order.resolve_by > order.respond_by
    order = workorder_triage(order=order, actor=community, triage_class=TriageClass.MINOR)
    order = workorder_dispatch(order=order, actor=community, to=DispatchTarget.GRID, handler=worker)
    assert order.state == State.DISPATCHED and order.handler == worker
    order = workorder_start(order=order, actor=worker)
    order = workorder_add_note(order=order, actor=worker, note="已联系物业。")
    with pytest.raises(InvalidInput):
        workorder_resolve(order=order, actor=worker, note="  ")
    order = workorder_resolve(order=order, actor=worker, note="已清运。", files=[photo()])
    order = workorder_close(order=order, actor=community)
    order = workorder_rate(order=order, actor=worker, rating=5, comment="及时")
    assert order.state == State.CLOSED and order.rating == 5
    assert kinds(order) == [
        EntryKind.CREATED,
        EntryKind.TRIAGED,
        EntryKind.DISPATCHED,
        EntryKind.STARTED,
        EntryKind.NOTE,
        EntryKind.RESOLVED,
        EntryKind.CLOSED,
        EntryKind.RATED,
    ]
    lines = AuditEntry.objects.filter(object_type="workorders.workorder", object_id=str(order.pk))
    assert lines.count() == 8
    assert AuditEntry.objects.count() - audit_before == 8
    assert order.version == 8


def test_a_service_order_is_claimed_released_and_claimed_again(city, people):
    order = pooled(city.units["A1a"], people["resident"])
    assert order.state == State.POOLED
    order = workorder_claim(order=order, actor=people["party_member"])
    assert (
        order.state == State.CLAIMED
        and order.handler == people["party_member"]
        and order.claimed_at
    )
    with pytest.raises(AlreadyClaimed) as lost:
        workorder_claim(order=order, actor=people["volunteer"])
    assert lost.value.status == 409
    with pytest.raises(Forbidden):
        workorder_release(order=order, actor=people["volunteer"])
    order = workorder_release(order=order, actor=people["party_member"], note="临时有事")
    assert order.state == State.POOLED and order.handler is None
    order = workorder_claim(order=order, actor=people["volunteer"])
    order = workorder_start(order=order, actor=people["volunteer"])
    order = workorder_resolve(order=order, actor=people["volunteer"], note="已陪同就医。")
    assert order.state == State.RESOLVED
    assert EntryKind.RELEASED in kinds(order) and kinds(order).count(EntryKind.CLAIMED) == 2


def test_the_community_may_take_a_claim_back(city, people):
    order = claimed(city.units["A1a"], people["party_member"])
    order = workorder_release(order=order, actor=people["community_worker"])
    assert order.state == State.POOLED


def test_a_major_case_goes_to_a_department_whose_handler_takes_it(city, people):
    handler = people["department_handler"]
    department = make_department(city.district, handler)
    order = make_order(city.grids["A1a"], people["grid_worker"])
    order = workorder_triage(
        order=order, actor=people["street_staff"], triage_class=TriageClass.MAJOR
    )
    order = workorder_dispatch(
        order=order,
        actor=people["street_staff"],
        to=DispatchTarget.DEPARTMENT,
        department=department,
    )
    assert order.department == department and order.handler is None
    with pytest.raises(Forbidden):
        workorder_start(order=order, actor=people["grid_worker"])
    order = workorder_start(order=order, actor=handler)
    assert order.handler == handler and order.state == State.IN_PROGRESS


def test_a_private_matter_is_closed_with_guidance_and_never_dispatched(city, people):
    community = people["community_worker"]
    order = make_order(city.grids["A1a"], people["grid_worker"])
    order = workorder_triage(order=order, actor=community, triage_class=TriageClass.PRIVATE)
    with pytest.raises(IllegalTransition):
        workorder_dispatch(order=order, actor=community, to=DispatchTarget.POOL)
    with pytest.raises(InvalidInput):
        workorder_close(order=order, actor=community)
    order = workorder_close(order=order, actor=community, note="请联系物业有偿维修。")
    assert order.state == State.CLOSED


def test_a_minor_case_is_not_closed_straight_after_triage(city, people):
    order = workorder_triage(
        order=make_order(city.grids["A1a"]), actor=None, triage_class=TriageClass.MINOR
    )
    with pytest.raises(IllegalTransition):
        workorder_close(order=order, actor=people["community_worker"], note="x")


def test_reclassing_needs_a_reason_and_is_recorded(city, people):
    community = people["community_worker"]
    order = workorder_triage(
        order=make_order(city.grids["A1a"]), actor=community, triage_class=TriageClass.MINOR
    )
    with pytest.raises(InvalidInput):
        workorder_triage(order=order, actor=community, triage_class=TriageClass.MAJOR)
    order = workorder_triage(
        order=order, actor=community, triage_class=TriageClass.MAJOR, reason="涉及违建"
    )
    assert order.triage_class == TriageClass.MAJOR
    assert kinds(order)[-1] == EntryKind.RECLASSED


# --------------------------------------------------------------------------
# Every transition the state machine does not allow, from every state: 409
# --------------------------------------------------------------------------


def _in_state(city, people, state):
    area, worker, resident = city.units["A1a"], people["grid_worker"], people["resident"]
    if state == State.REPORTED:
        return make_order(area, resident)
    if state == State.TRIAGED:
        return workorder_triage(
            order=make_order(area, resident), actor=None, triage_class=TriageClass.MINOR
        )
    if state == State.DISPATCHED:
        return dispatched(area, worker, resident)
    if state == State.POOLED:
        return pooled(area, resident)
    if state == State.CLAIMED:
        return claimed(area, people["party_member"], resident)
    if state == State.IN_PROGRESS:
        return workorder_start(order=dispatched(area, worker, resident), actor=worker)
    if state == State.RESOLVED:
        order = workorder_start(order=dispatched(area, worker, resident), actor=worker)
        return workorder_resolve(order=order, actor=worker, note="完成", files=[photo()])
    if state == State.CLOSED:
        return closed(area, worker, resident)
    if state == State.REOPENED:
        return workorder_rate(order=closed(area, worker, resident), actor=resident, rating=1)
    raise AssertionError(state)


def _fire(name, order, people):
    """Fire ``name`` as an actor the table allows, so only the state can refuse."""
    community, worker = people["community_worker"], people["grid_worker"]
    calls = {
        "triage": lambda: workorder_triage(
            order=order, actor=community, triage_class="minor", reason="复核"
        ),
        "dispatch": lambda: workorder_dispatch(
            order=order, actor=community, to=DispatchTarget.POOL
        ),
        "claim": lambda: workorder_claim(order=order, actor=people["volunteer"]),
        "release": lambda: workorder_release(order=order, actor=community),
        "start": lambda: workorder_start(order=order, actor=None),
        "note": lambda: workorder_add_note(order=order, actor=community, note="进展"),
        "resolve": lambda: workorder_resolve(order=order, actor=None, note="完成", files=[photo()]),
        "close": lambda: workorder_close(order=order, actor=community, note="关闭"),
        "rate": lambda: workorder_rate(order=order, actor=people["resident"], rating=4),
        "hand_off": lambda: workorder_hand_off(
            order=order, actor=None, to_user=people["street_staff"]
        ),
        "update": lambda: workorder_update(order=order, actor=community, title="新标题"),
        "pause": lambda: workorder_pause(order=order, actor=community, reason="等居民在家"),
        "resume": lambda: workorder_resume(order=order, actor=community),
    }
    assert worker
    return calls[name]()


FORBIDDEN = [
    (state, name)
    for state in State.values
    for name in (*USER_TRANSITIONS, "update")
    if state not in TRANSITIONS[name].sources
]
ALLOWED = [
    (state, name)
    for state in State.values
    for name in (*USER_TRANSITIONS, "update")
    if state in TRANSITIONS[name].sources
]


@pytest.mark.parametrize(("state", "name"), FORBIDDEN, ids=[f"{s}-{n}" for s, n in FORBIDDEN])
def test_a_transition_the_machine_does_not_allow_answers_409(city, people, state, name):
    order = _in_state(city, people, state)
    assert order.state == state
    version = order.version
    with pytest.raises(Conflict) as refused:
        _fire(name, order, people)
    assert refused.value.status == 409
    order.refresh_from_db()
    assert order.state == state and order.version == version


@pytest.mark.parametrize(("state", "name"), ALLOWED, ids=[f"{s}-{n}" for s, n in ALLOWED])
def test_every_allowed_transition_goes_through(city, people, state, name):
    order = _in_state(city, people, state)
    if name == "close" and state == State.TRIAGED:
        order = workorder_triage(order=order, actor=None, triage_class="private", reason="私事")
    if name == "hand_off":
        order = WorkOrder.objects.get(pk=order.pk)
    if name == "resume":
        order = workorder_pause(order=order, actor=None, reason="等居民在家")
    before = TimelineEntry.objects.filter(order=order).count()
    after = _fire(name, order, people)
    target = TRANSITIONS[name].target
    if name == "dispatch":
        target = State.POOLED
    if target:
        assert after.state == target
    assert TimelineEntry.objects.filter(order=order).count() > before
    assert set(allowed_from(state)) >= {name}


# --------------------------------------------------------------------------
# The wrong actor: 403 from the service (the views answer 404 before that
# when the actor cannot even see the case)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("grid_worker", "triage"),
        ("resident", "triage"),
        ("party_member", "dispatch"),
        ("grid_worker_b", "start"),
        ("resident", "start"),
        ("volunteer", "resolve"),
        ("resident", "close"),
        ("grid_worker", "close"),
    ],
)
def test_the_wrong_actor_is_refused(city, people, who, name):
    area = city.units["A1a"]
    order = {
        "triage": lambda: make_order(area, people["resident"]),
        "dispatch": lambda: workorder_triage(
            order=make_order(area), actor=None, triage_class="minor"
        ),
        "start": lambda: dispatched(area, people["grid_worker"]),
        "resolve": lambda: workorder_start(
            order=dispatched(area, people["grid_worker"]), actor=None
        ),
        "close": lambda: workorder_resolve(
            order=workorder_start(order=dispatched(area, people["grid_worker"]), actor=None),
            actor=None,
            note="x",
            files=[photo()],
        ),
    }[name]()
    actor = people[who]
    call = {
        "triage": lambda: workorder_triage(order=order, actor=actor, triage_class="minor"),
        "dispatch": lambda: workorder_dispatch(order=order, actor=actor, to="pool"),
        "start": lambda: workorder_start(order=order, actor=actor),
        "resolve": lambda: workorder_resolve(order=order, actor=actor, note="x"),
        "close": lambda: workorder_close(order=order, actor=actor),
    }[name]
    with pytest.raises(Forbidden):
        call()


def test_only_party_members_and_volunteers_of_the_community_claim(city, people):
    from shequ.core.tests.factories import make_user

    elsewhere = make_user("party_member", city.communities["A2"])
    order = pooled(city.units["A1a"])
    for actor in (elsewhere, people["grid_worker"], people["resident"], people["community_worker"]):
        with pytest.raises(Forbidden):
            workorder_claim(order=order, actor=actor)
    assert workorder_claim(order=order, actor=people["party_member"]).state == State.CLAIMED


def test_dispatch_needs_a_handler_in_the_area_and_a_department_of_the_district(city, people):
    order = workorder_triage(order=make_order(city.grids["A1a"]), actor=None, triage_class="minor")
    community = people["community_worker"]
    with pytest.raises(InvalidInput):
        workorder_dispatch(order=order, actor=community, to="grid", handler=people["grid_worker_b"])
    with pytest.raises(InvalidInput):
        workorder_dispatch(order=order, actor=community, to="grid")
    with pytest.raises(InvalidInput):
        workorder_dispatch(order=order, actor=community, to="department")
    with pytest.raises(InvalidInput):
        workorder_dispatch(order=order, actor=community, to="moon")


# --------------------------------------------------------------------------
# Rating: only the reporter; 2 or less reopens once
# --------------------------------------------------------------------------


def test_only_the_reporter_rates(city, people):
    order = closed(city.units["A1a"], people["grid_worker"], people["resident"])
    for other in ("grid_worker", "community_worker", "street_staff", "volunteer"):
        with pytest.raises(Forbidden):
            workorder_rate(order=order, actor=people[other], rating=5)
    with pytest.raises(InvalidInput):
        workorder_rate(order=order, actor=people["resident"], rating=6)
    order = workorder_rate(order=order, actor=people["resident"], rating=4)
    with pytest.raises(IllegalTransition):
        workorder_rate(order=order, actor=people["resident"], rating=5)


def test_a_low_rating_reopens_once(city, people):
    resident, worker, community = (
        people["resident"],
        people["grid_worker"],
        people["community_worker"],
    )
    order = closed(city.units["A1a"], worker, resident)
    order = workorder_rate(order=order, actor=resident, rating=2, comment="没有处理干净")
    assert order.state == State.REOPENED and order.reopened_count == 1 and order.rating is None
    assert kinds(order)[-2:] == [EntryKind.RATED, EntryKind.REOPENED]
    # The community reviews it and sends it out again.
    order = workorder_triage(order=order, actor=community, triage_class=TriageClass.MINOR)
    order = workorder_dispatch(order=order, actor=community, to="grid", handler=worker)
    order = workorder_start(order=order, actor=worker)
    order = workorder_resolve(order=order, actor=worker, note="再次清理。", files=[photo()])
    order = workorder_close(order=order, actor=community)
    order = workorder_rate(order=order, actor=resident, rating=1)
    assert order.state == State.CLOSED and order.rating == 1 and order.reopened_count == 1


# --------------------------------------------------------------------------
# The timeline is typed and append-only
# --------------------------------------------------------------------------


def test_timeline_entries_cannot_be_changed_or_deleted(city, people):
    order = make_order(city.grids["A1a"], people["grid_worker"])
    entry = order.timeline.get()
    entry.note = "改写历史"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        TimelineEntry.objects.filter(order=order).update(note="x")
    with pytest.raises(TypeError):
        TimelineEntry.objects.filter(order=order).delete()
    with pytest.raises(ValueError):
        TimelineEntry.objects.create(order=order, kind="gossip")
    assert order.timeline.get().note == ""


# --------------------------------------------------------------------------
# First-contact ownership, versions, intake rules
# --------------------------------------------------------------------------


def test_the_first_contact_owner_hands_off_and_it_is_recorded(city, people):
    community = people["community_worker"]
    order = make_order(city.grids["A1a"], community, channel="front_desk")
    assert order.owner == community and order.reporter is None
    with pytest.raises(Forbidden):
        workorder_hand_off(order=order, actor=people["street_staff"], to_user=people["grid_worker"])
    with pytest.raises(InvalidInput):
        workorder_hand_off(order=order, actor=community, to_user=people["resident"])
    with pytest.raises(InvalidInput):
        workorder_hand_off(order=order, actor=community, to_user=people["grid_worker_b"])
    order = workorder_hand_off(
        order=order, actor=community, to_user=people["grid_worker"], note="网格员跟进"
    )
    assert order.owner == people["grid_worker"]
    entry = order.timeline.last()
    assert entry.kind == EntryKind.HANDED_OFF and not entry.public
    assert entry.data == {"previous_owner": community.pk, "new_owner": people["grid_worker"].pk}


def test_a_stale_version_answers_412_and_changes_nothing(city, people):
    order = make_order(city.grids["A1a"], people["grid_worker"])
    workorder_update(
        order=order, actor=people["community_worker"], expected_version=1, title="改过的标题"
    )
    with pytest.raises(StaleVersion) as stale:
        workorder_update(
            order=order, actor=people["community_worker"], expected_version=1, title="又改"
        )
    assert stale.value.status == 412
    order.refresh_from_db()
    assert order.title == "改过的标题" and order.version == 2


def test_intake_checks_scope_category_and_text(city, people):
    with pytest.raises(Forbidden):
        make_order(city.grids["A1b"], people["grid_worker"])
    with pytest.raises(Forbidden):
        make_order(city.grids["A1a"], people["volunteer"])
    with pytest.raises(InvalidInput):
        make_order(
            city.grids["A1a"], people["grid_worker"], kind=Kind.SERVICE_ORDER, code="sanitation"
        )
    with pytest.raises(InvalidInput):
        make_order(city.grids["A1a"], people["grid_worker"], title=" ")
    with pytest.raises(InvalidInput):
        make_order(city.grids["A1a"], people["grid_worker"], latitude=91)
    with pytest.raises(InvalidInput):
        make_order(city.units["A1a"], people["resident"], kind=Kind.HOTLINE, code="elderly_help")
    with pytest.raises(InvalidInput):
        make_order(city.units["A1a"], people["resident"], channel="front_desk")
    assert category("fire_risk").response_hours == 4


def test_numbers_count_up_within_a_day(city, people):
    first = make_order(city.grids["A1a"], people["grid_worker"])
    second = make_order(city.grids["A1a"], people["grid_worker"])
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_case_numbers_follow_each_other_and_skip_one_already_taken(city, people):
    from shequ.workorders.models import DailyNumber

    grid, worker = city.grids["A1a"], people["grid_worker"]
    first, second = make_order(grid, worker), make_order(grid, worker)
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1
    # Numbers issued without the counter knowing (cases loaded in bulk, a
    # restored backup) are not reused: the counter catches up at once.
    DailyNumber.objects.update(counter=0)
    third = make_order(grid, worker)
    assert third.number not in (first.number, second.number)
    assert third.number.endswith("-0003")
    assert DailyNumber.objects.get().counter == 3


def test_a_busy_day_past_9999_cases_keeps_counting(city, people):
    """Numbers grow a fifth digit after 9999; catching up compares them as
    numbers, not as text ("…-10000" sorts before "…-9999" as text)."""
    from shequ.workorders.models import DailyNumber, WorkOrder

    grid, worker = city.grids["A1a"], people["grid_worker"]
    orders = [make_order(grid, worker) for _ in range(30)]
    day = orders[0].number.split("-")[1]
    # The day's cases 9995…10024 exist; the counter is behind (a restored backup).
    for offset, order in enumerate(orders):
        WorkOrder.objects.filter(pk=order.pk).update(number=f"GD-{day}-{9995 + offset}")
    DailyNumber.objects.filter(day=day).update(counter=9994)
    assert make_order(grid, worker).number == f"GD-{day}-10025"
    assert DailyNumber.objects.get(day=day).counter == 10025
