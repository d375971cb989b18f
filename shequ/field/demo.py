"""The field app's share of the demo city: the demo grid worker's visit
history, some visits due today, an instruction from the community and a
ledger change proposal waiting for the community worker."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from shequ.core.choices import Level
from shequ.core.models import Area, User
from shequ.core.scoping import scope_paths
from shequ.field.choices import MUST_CONTACT_CODES, MUST_KNOW_CODES, Action
from shequ.field.models import Outcome, Visit
from shequ.field.services import (
    instruction_send,
    outpost_schedule,
    outpost_service_record,
    visit_record,
    worklog_note_add,
)
from shequ.registry.models import Household

NOTES = [
    "老人身体状况良好，叮嘱按时服药。",
    "家中无人，已在门上留联系卡。",
    "反映楼道灯不亮，已记录。",
    "租户信息与台账一致。",
    "子女在外地工作，老人独自生活，需多关注。",
    "邻里关系和睦，无矛盾纠纷。",
]


def demo_field(*, city: Area, residents: int, rng, stdout) -> None:
    worker = User.objects.filter(username="grid").first()
    community_worker = User.objects.filter(username="community").first()
    paths = scope_paths(worker, Action.VISIT) if worker else []
    if not paths:
        stdout.write("field: no demo grid worker, nothing generated")
        return
    grid = Area.objects.get(path=paths[0])
    households = list(
        Household.objects.filter(removed_at__isnull=True, area_path__startswith=grid.path + ".")
        .order_by("area_path", "room", "id")
        .select_related("area")
    )
    now = timezone.now()
    rows = []
    for household in households:
        # Past months for everyone; this month for about half of the grid, so
        # the coverage page and the "not visited this month" list both show.
        for months_ago in (2, 1):
            rows.append(_history(worker, household, now - timedelta(days=30 * months_ago), rng))
        if rng.random() < 0.5:
            rows.append(_history(worker, household, now - timedelta(days=rng.randint(8, 20)), rng))
    Visit.objects.bulk_create(rows, batch_size=500)

    if households:
        first = households[0]
        visit_record(
            actor=worker,
            household_id=first.pk,
            client_id=uuid.uuid4(),
            payload={
                "outcome": Outcome.MET,
                "met": "户主本人",
                "must_contact": ["home_visit", "empty_nest_left_behind"],
                "notes": "老人行动不便，希望有人帮忙买菜。",
                "needs": [
                    {
                        "description": "老人行动不便，希望每周有人帮忙买菜",
                        "kind": "service_order",
                        "category": "elderly_help",
                    }
                ],
                "proposals": [
                    {
                        "kind": "new_member",
                        "name": "王小宝",
                        "gender": "male",
                        "relation": "grandchild",
                    }
                ],
            },
        )
    worklog_note_add(
        actor=worker,
        text_value="上午走访独居老人，下午协助社区核对出租房屋信息。",
        client_id=uuid.uuid4(),
    )
    if community_worker is not None:
        community = grid.parent
        if community is not None and community.level == Level.COMMUNITY:
            instruction_send(
                actor=community_worker,
                area=community,
                title="排查楼道堆物和电动车入户充电",
                body="请在本周内完成所辖楼栋的排查，发现隐患当场劝导并上报。",
                checklist=["楼道堆物", "电动车入户充电", "消防通道"],
                deadline=now + timedelta(days=3),
            )
    _outpost(grid, community_worker, worker, now)
    stdout.write(
        f"field: {len(rows) + (1 if households else 0)} visits in {grid.name}, 1 instruction, 1 proposal, 1 outpost"
    )


def _outpost(grid: Area, community_worker: User | None, worker: User, now) -> None:
    """An outpost at the grid's first estate, Monday, Wednesday and Friday mornings."""
    estate = Area.objects.filter(level=Level.ESTATE, path__startswith=grid.path + ".").first()
    if estate is None or community_worker is None:
        return
    outpost = outpost_schedule(
        actor=community_worker, area=estate, weekdays=[0, 2, 4], hours="9:00-11:30"
    )
    for kind, text_value, to_case in (
        ("consultation", "咨询高龄津贴申领", False),
        ("errand", "代办居住证明材料", True),
        ("dispute", "楼上装修噪音，邻里争执", False),
    ):
        outpost_service_record(
            actor=worker,
            outpost=outpost,
            client_id=uuid.uuid4(),
            kind=kind,
            description=text_value,
            to_case=to_case,
        )


def _history(worker: User, household: Household, when, rng) -> Visit:
    met = rng.random() < 0.8
    return Visit(
        household=household,
        worker=worker,
        visited_at=when,
        recorded_at=when,
        outcome=Outcome.MET if met else Outcome.NOBODY,
        met="户主本人" if met else "",
        must_contact=rng.sample(MUST_CONTACT_CODES, k=rng.randint(1, 3)) if met else [],
        must_know=rng.sample(MUST_KNOW_CODES, k=rng.randint(0, 2)) if met else [],
        notes=rng.choice(NOTES),
        client_id=uuid.UUID(int=rng.getrandbits(128)),
        request_hash="demo",
        area_path=household.area_path,
    )
