from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from shequ.core import registry
from shequ.core.models import RoleAssignment
from shequ.core.roles import Role
from shequ.core.scoping import can
from shequ.core.selectors import area_counts, area_roots

# What each role's home page will hold once the domain modules arrive; shown as
# the empty state until a registered panel fills it.
ATTENTION = {
    Role.CITY_ADMIN: _("全市区域、账户和配置目录的变更待办将显示在这里。"),
    Role.DISTRICT_STAFF: _("辖区内逾期工单、预警和各社区指标将显示在这里。"),
    Role.STREET_STAFF: _("社区上报的升级事件、吹哨报到和督办事项将显示在这里。"),
    Role.COMMUNITY_WORKER: _("待分派的工单、待审核的台账变更和今日值班安排将显示在这里。"),
    Role.GRID_WORKER: _("今天需要走访的住户、未完成的工作指令和您上报的事件将显示在这里。"),
    Role.DEPARTMENT_HANDLER: _("派给本部门的事件和吹哨报到将显示在这里。"),
    Role.BUILDING_TEAM: _("本楼栋的走访任务和居民诉求将显示在这里。"),
    Role.PARTY_MEMBER: _("附近可认领的服务单和本月报到服务情况将显示在这里。"),
    Role.VOLUNTEER: _("可报名的活动、可认领的服务单和您的服务时长将显示在这里。"),
    Role.RESIDENT: _("您提交的诉求、服务点单的进度和社区公告将显示在这里。"),
    Role.AUDITOR: _("最近的登录失败、越权访问和个人信息查看记录将显示在这里。"),
    Role.SECURITY_ADMIN: _("被锁定的账户、待审批的授权和角色变更将显示在这里。"),
}


@login_required
def home(request):
    user = request.user
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related("area").order_by("role")
    )
    shown = [panel for panel in registry.home_panels if can(user, panel.action)]
    panels = [{"template": p.template, **(p.context(request) if p.context else {})} for p in shown]
    covered = set().union(*(p.roles for p in shown)) if shown else set()
    roots = list(area_roots(actor=user))
    counts = area_counts(areas=roots)
    for root in roots:
        root.counts = counts[root.pk]
    attention = []
    seen = set()
    for assignment in assignments:
        if assignment.role not in seen and assignment.role not in covered:
            seen.add(assignment.role)
            attention.append((assignment.get_role_display(), ATTENTION.get(assignment.role, "")))
    return render(
        request,
        "core/home.html",
        {"assignments": assignments, "panels": panels, "roots": roots, "attention": attention},
    )
