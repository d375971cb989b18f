"""The volunteers step of the demo city generator.

In the demo community: the demo party member (``party``) and volunteer
(``volunteer``) with their profiles, a dozen more volunteers and half a dozen
embedded party members of three work units, two groups, partners and
charity resources, a weekly activity over the past months with confirmed
hours, a rewards catalog, and one activity happening today so the QR journey
works on a phone. The demo party member stands just below one star (99 h)
and has not yet served this month: the journey moves both.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shequ.core.choices import Level
from shequ.core.demo.names import person_name
from shequ.core.models import Area, User
from shequ.volunteers.models import Activity, SignUp, Volunteer
from shequ.volunteers.services import (
    activity_create,
    attendance_record,
    building_post_assign,
    charity_resource_add,
    group_create,
    organization_create,
    party_member_confirm,
    party_member_register,
    record_confirm,
    redemption_create,
    reward_create,
    social_worker_create,
    volunteer_register,
)

SKILLS = [
    "理发",
    "电工",
    "水暖维修",
    "医护",
    "法律咨询",
    "心理疏导",
    "陪护",
    "书法",
    "摄影",
    "驾驶",
]
AVAILABILITY = ["工作日白天", "工作日晚上", "周末", "随时"]
UNITS = ["区住房和城乡建设局", "区财政局", "区教育局"]
PAST_TITLES = ["楼道清理", "助老送餐", "垃圾分类宣传", "义诊服务", "反诈宣传", "环境整治"]
REWARDS = [
    ("上门理发券", 100, 20),
    ("保温杯", 200, 10),
    ("电影票", 300, 6),
    ("米面油礼包", 500, 5),
]


def _persona(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _community_of(user: User) -> Area | None:
    row = user.roles.select_related("area").filter(area__level=Level.COMMUNITY).first()
    return row.area if row else None


def _profile(user: User, community: Area, **extra) -> Volunteer:
    """The workorders step may already have made one (credited service orders)."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        return volunteer_register(
            actor=None, community=community, user=user, name=user.display_name, **extra
        )
    for key, value in extra.items():
        setattr(volunteer, key, value)
    volunteer.save()
    return volunteer


def _served(activity: Activity, volunteer: Volunteer, worker: User, hours: float) -> None:
    signup, _new = SignUp.objects.get_or_create(
        activity=activity,
        volunteer=volunteer,
        defaults={"status": "confirmed", "area_path": activity.area_path},
    )
    start = activity.starts_at
    signup = attendance_record(
        actor=None,
        signup=signup,
        checked_in_at=start,
        checked_out_at=start + timedelta(hours=hours),
    )
    record_confirm(actor=worker, record=signup.record)


def demo_volunteers(*, city, residents, rng, stdout) -> None:
    party, volunteer_user = _persona("party"), _persona("volunteer")
    worker = _persona("community")
    if not all((party, volunteer_user, worker)):
        stdout.write("volunteers: demo personas missing, skipped")
        return
    community = _community_of(party)
    if community is None:
        stdout.write("volunteers: no demo community, skipped")
        return
    now = timezone.now()
    first_of_month = timezone.localtime(now).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )

    me = _profile(party, community, skills="水暖维修,电工", availability="周末")
    member = party_member_register(
        actor=party, volunteer=me, work_unit=UNITS[0], community=community
    )
    party_member_confirm(actor=worker, member=member)
    helper = _profile(
        volunteer_user,
        community,
        skills="医护,陪护",
        availability="工作日晚上",
        emergency_ready=True,
    )
    people = [me, helper]
    used = {me.name, helper.name}
    for _i in range(12):
        name = person_name(rng)
        while name in used:
            name = person_name(rng)
        used.add(name)
        people.append(
            volunteer_register(
                actor=None,
                community=community,
                name=name,
                skills=",".join(rng.sample(SKILLS, 2)),
                availability=rng.choice(AVAILABILITY),
                emergency_ready=rng.random() < 0.4,
                board_anonymous=rng.random() < 0.2,
            )
        )
    members = [member]
    for i, volunteer in enumerate(people[2:9]):
        m = party_member_register(
            actor=None, volunteer=volunteer, work_unit=UNITS[i % 3], community=community
        )
        if i < 6:  # the last one waits for the community's confirmation
            members.append(party_member_confirm(actor=worker, member=m))

    service = group_create(
        actor=None,
        community=community,
        name="红色先锋志愿服务队",
        kind="service",
        leader=people[2],
        members=people[2:9],
    )
    group_create(
        actor=None,
        community=community,
        name="应急突击队",
        kind="emergency",
        leader=helper,
        members=[p for p in people if p.emergency_ready],
    )
    org = organization_create(
        actor=None,
        community=community,
        name="夕阳红助老服务中心",
        status="registered",
        service_areas="助老、助餐",
    )
    organization_create(
        actor=None,
        community=community,
        name="邻里调解工作室",
        status="filed",
        service_areas="矛盾调解",
    )
    social_worker_create(
        actor=None,
        community=community,
        name=person_name(rng),
        certificate_level="social_worker",
        organization=org,
    )
    social_worker_create(
        actor=None, community=community, name=person_name(rng), certificate_level="assistant"
    )
    building = Area.objects.filter(
        path__startswith=community.path + ".", level=Level.BUILDING
    ).first()
    if building is not None:
        for post, volunteer in zip(("leader", "information", "support"), people[9:12], strict=True):
            building_post_assign(actor=None, volunteer=volunteer, area=building, post=post)
    charity_resource_add(
        actor=None,
        community=community,
        name="社区共享基金",
        kind="fund",
        amount=Decimal("12000"),
        donor="辖区爱心企业",
    )
    charity_resource_add(
        actor=None,
        community=community,
        name="冬季御寒物资",
        kind="goods",
        amount=Decimal("3500"),
        donor="区慈善总会",
    )

    # A weekly activity for 33 weeks before this month: 3 h each for the demo
    # party member (99 h, just short of one star), and a few others.
    weeks = 0
    start = timezone.localtime(first_of_month - timedelta(days=3)).replace(hour=9)
    while weeks < 33:
        activity = Activity.objects.create(
            title=PAST_TITLES[weeks % len(PAST_TITLES)],
            community=community,
            area_path=community.path,
            organizer_kind="group" if weeks % 2 else "community",
            group=service if weeks % 2 else None,
            place="社区党群服务中心",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=15,
            created_by=worker,
        )
        _served(activity, me, worker, 3)
        for volunteer in rng.sample(people[1:], 3):
            _served(activity, volunteer, worker, rng.choice([1.5, 2, 2.5, 3]))
        start -= timedelta(days=7)
        weeks += 1

    # This month so far: some party members met the duty, some not yet.
    month_start = timezone.localtime(now) - timedelta(days=1)
    if month_start >= first_of_month:
        this_month = Activity.objects.create(
            title="敬老院陪伴",
            community=community,
            area_path=community.path,
            place="区社会福利院",
            starts_at=month_start,
            ends_at=month_start + timedelta(hours=3),
            capacity=10,
            created_by=worker,
        )
        for m, hours in zip(members[1:4], (2.5, 2, 1), strict=False):
            _served(this_month, m.volunteer, worker, hours)

    # Today: the activity of the phone journey.
    today = timezone.localtime(now) - timedelta(hours=2)
    activity_create(
        actor=worker,
        community=community,
        title="小区环境整治志愿活动",
        place="1号楼前广场",
        starts_at=today,
        ends_at=today + timedelta(hours=4),
        capacity=20,
        skills="无",
        description="清理楼道堆物和绿化带垃圾，请穿方便活动的衣服。",
    )
    activity_create(
        actor=worker,
        community=community,
        title="周末义诊",
        place="社区卫生服务站",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=3),
        capacity=2,
        skills="医护",
        group=service,
    )
    rewards = [
        reward_create(actor=worker, community=community, name=name, points_cost=cost, stock=stock)
        for name, cost, stock in REWARDS
    ]
    for volunteer in people[1:4]:
        volunteer.refresh_from_db()
        if volunteer.points >= rewards[0].points_cost:
            redemption_create(actor=None, reward=rewards[0], volunteer=volunteer)
    stdout.write(
        f"volunteers: {len(people)} volunteers, {len(members)} party members, "
        f"{weeks + 3} activities in {community.name}"
    )
