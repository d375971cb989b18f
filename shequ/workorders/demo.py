"""The work-order step of the demo city generator: a few dozen believable
cases in the demo community, in every state, with their timelines, and some
pooled service orders the demo party member can claim.

Cases go through the real services with the demo personas as actors, so each
timeline and audit line is what the platform would have written.
"""

from __future__ import annotations

from shequ.core.choices import Level
from shequ.core.models import Area, User
from shequ.workorders.choices import Channel, DispatchTarget, Kind, TriageClass
from shequ.workorders.models import Category, Department
from shequ.workorders.services import (
    workorder_claim,
    workorder_close,
    workorder_create,
    workorder_dispatch,
    workorder_rate,
    workorder_resolve,
    workorder_start,
    workorder_triage,
)

DEPARTMENTS = ("城市管理综合执法局", "住房和城乡建设局", "市场监督管理局", "应急管理局")

# (category code, title, description)
INCIDENTS = [
    ("sanitation", "垃圾桶满溢无人清运", "3号楼东侧垃圾桶已满两天，异味较大，请尽快安排清运。"),
    ("parking", "消防通道被私家车占用", "小区北门消防通道长期停放私家车，夜间尤为严重。"),
    ("property", "单元门禁损坏", "1单元门禁无法刷卡，外来人员可随意进出。"),
    ("fire_risk", "楼道内电动车充电", "2单元一楼楼道有居民拉线给电动车充电，存在火灾隐患。"),
    ("fire_risk", "楼道堆放杂物", "5楼楼道堆放纸箱和旧家具，堵塞疏散通道。"),
    ("noise", "夜间装修噪音", "楼上住户晚上十点后仍在装修，影响休息。"),
    ("neighbour", "漏水引发邻里纠纷", "楼上卫生间漏水至楼下，双方协商未果，请社区调解。"),
    ("sanitation", "绿化带内建筑垃圾", "小区中心绿地被倾倒装修垃圾。"),
    ("property", "路灯不亮", "小区主干道两盏路灯不亮，老人夜间出行不便。"),
    ("parking", "非机动车乱停放", "单元门口共享单车和电动车堵门。"),
    ("road", "人行道地砖松动", "小区南门外人行道地砖松动，雨天溅水易绊倒。"),
    ("noise", "广场舞音响过大", "晚间广场舞音响音量过大，影响附近住户。"),
]
SERVICES = [
    ("elderly_help", "独居老人陪同就医", "82岁独居老人周四上午需陪同到中心医院复查。"),
    ("errands", "代买生活用品", "腿脚不便，想请人代买米面油，每周一次。"),
    ("repairs", "更换水龙头", "厨房水龙头漏水，家中无人会修。"),
    ("elderly_help", "上门理发", "老人卧床，需要上门理发服务。"),
    ("errands", "代办医保报销材料", "需要有人帮忙把报销材料送到街道便民服务中心。"),
    ("repairs", "维修窗户合页", "卧室窗户合页松脱，关不严。"),
    ("consultation", "咨询高龄津贴申领", "想了解高龄津贴的申领条件和所需材料。"),
    ("elderly_help", "陪老人聊天读报", "老人独居，希望每周有志愿者来陪伴聊天。"),
]
# How far each case gets, cycled through.
INCIDENT_PATHS = [
    "reported",
    "triaged",
    "dispatched",
    "in_progress",
    "resolved",
    "rated",
    "department",
    "private",
]
SERVICE_PATHS = ["pooled", "pooled", "claimed", "rated", "pooled"]


def _site_photo():
    """A generated picture standing in for the handler's on-site photo."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 90)).save(buffer, format="JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def _persona(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _home(user: User, level: str) -> Area | None:
    assignment = user.roles.select_related("area").filter(area__level=level).first()
    return assignment.area if assignment else None


def demo_workorders(*, city, residents, rng, stdout) -> None:
    grid_worker, community_worker = _persona("grid"), _persona("community")
    resident, party, dept = _persona("resident"), _persona("party"), _persona("dept")
    if not all((grid_worker, community_worker, resident, party)):
        stdout.write("workorders: demo personas missing, skipped")
        return
    grid = _home(grid_worker, Level.GRID)
    community = _home(community_worker, Level.COMMUNITY)
    unit = _home(resident, Level.UNIT)
    district = Area.objects.filter(
        level=Level.DISTRICT, path__in=(community.ancestor_paths())
    ).first()
    departments = []
    for name in DEPARTMENTS:
        department, _created = Department.objects.get_or_create(district=district, name=name)
        if dept is not None:
            department.handlers.add(dept)
        departments.append(department)
    places = list(
        Area.objects.filter(
            path__startswith=grid.path + ".", level__in=[Level.BUILDING, Level.UNIT]
        )
    )
    places = places or [grid]
    categories = {c.code: c for c in Category.objects.all()}
    made, pool = 0, 0
    count = max(24, min(48, residents // 50))
    for index in range(count):
        service = index % 3 == 2
        code, title, text = (SERVICES if service else INCIDENTS)[
            index % len(SERVICES if service else INCIDENTS)
        ]
        category = categories.get(code) or next(iter(categories.values()))
        kind = (
            Kind.SERVICE_ORDER
            if service
            else rng.choice([Kind.INCIDENT, Kind.INCIDENT, Kind.HOTLINE])
        )
        if not category.applies_to(kind):
            kind = category.kinds[0]
        by_resident = service or rng.random() < 0.4
        if kind == Kind.HOTLINE:
            actor, reporter, channel, area = (
                community_worker,
                None,
                Channel.HOTLINE,
                rng.choice(places),
            )
        elif by_resident:
            actor, reporter, channel, area = resident, resident, Channel.PORTAL, unit
        else:
            actor, reporter, channel, area = (
                grid_worker,
                grid_worker,
                Channel.GRID_REPORT,
                rng.choice(places),
            )
        order = workorder_create(
            actor=actor,
            kind=kind,
            category=category,
            area=area,
            title=title,
            description=text,
            channel=channel,
            reporter=reporter,
            reporter_anonymous=by_resident and rng.random() < 0.2,
        )
        made += 1
        path = (SERVICE_PATHS if service else INCIDENT_PATHS)[index // 3 % (5 if service else 8)]
        if path == "reported":
            continue
        triage = {"private": TriageClass.PRIVATE, "department": TriageClass.MAJOR}.get(
            path, TriageClass.MINOR
        )
        order = workorder_triage(order=order, actor=community_worker, triage_class=triage)
        if path == "triaged":
            continue
        if path == "private":
            workorder_close(
                order=order,
                actor=community_worker,
                note="属于居民自家事务，已告知可联系物业有偿维修。",
            )
            continue
        if service:
            order = workorder_dispatch(order=order, actor=community_worker, to=DispatchTarget.POOL)
            if path == "pooled":
                pool += 1
                continue
            order = workorder_claim(order=order, actor=party)
            handler = party
        elif path == "department":
            order = workorder_dispatch(
                order=order,
                actor=community_worker,
                to=DispatchTarget.DEPARTMENT,
                department=rng.choice(departments),
                note="请职能部门依职责处置。",
            )
            continue
        else:
            order = workorder_dispatch(
                order=order,
                actor=community_worker,
                to=DispatchTarget.GRID,
                handler=grid_worker,
                note="请网格员现场核实处置。",
            )
            handler = grid_worker
            if path == "dispatched":
                continue
        if path == "claimed":
            continue
        order = workorder_start(order=order, actor=handler)
        if path == "in_progress":
            continue
        order = workorder_resolve(
            order=order, actor=handler, note="已现场处置完毕，居民确认。", files=[_site_photo()]
        )
        if path == "resolved":
            continue
        order = workorder_close(order=order, actor=community_worker)
        if order.reporter_id:
            workorder_rate(
                order=order,
                actor=order.reporter,
                rating=rng.choice([3, 4, 5, 5]),
                comment="处理及时。",
            )
    from shequ.workorders.demo_flow import demo_flow

    extra = demo_flow(grid=grid, community=community, unit=unit, departments=departments)
    stdout.write(
        f"workorders: {made} work orders in {community.name}, {pool} waiting to be claimed; {extra}"
    )
