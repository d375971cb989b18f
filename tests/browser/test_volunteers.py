"""The volunteers journey of issue 5 on a phone: a party member signs up for
an activity, checks in and out by the organiser's QR code, the organiser
confirms the hours, and the member sees hours, star and points move and
redeems a reward, which the community then hands over."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, RESIDENT_PASSWORD, make_user
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["phone"])
def test_party_member_serves_by_qr_and_redeems_on_a_phone(page, viewport, city, new_page):
    from shequ.volunteers.models import Redemption, Volunteer
    from shequ.volunteers.tests.factories import (
        ensure_default_star_levels,
        make_activity,
        make_party_member,
        make_reward,
    )

    ensure_default_star_levels()

    a1 = city.communities["A1"]
    member_user = make_user(Role.PARTY_MEMBER, a1, username="party_a1", full_name="周建华")
    make_user(Role.COMMUNITY_WORKER, a1, username="worker_a1")
    member = make_party_member(a1, member_user, name="周建华")
    # 98 hours served before: two more make one star.
    Volunteer.objects.filter(pk=member.volunteer_id).update(hours_total=98)
    start = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=3)
    activity = make_activity(
        a1, starts_in=start - timezone.now(), hours=4, title="楼道清理志愿活动"
    )
    make_reward(a1, cost=30, stock=1, name="保温杯")

    # The member signs up on the phone.
    log_in(page, "party_a1", RESIDENT_PASSWORD)
    page.goto("/volunteers/me/")
    expect(page.locator("#my-star")).to_have_text("未评星")
    page.get_by_role("link", name="楼道清理志愿活动").click()
    page.get_by_role("button", name="我要报名").click()
    expect(page.locator("#signup-status")).to_contain_text("已报名")

    # The organiser shows the check-in QR code; the phone opens what it encodes.
    desk = new_page("desktop")
    log_in(desk, "worker_a1", PASSWORD)
    desk.goto(f"/volunteers/activities/{activity.pk}/")
    expect(desk.locator("img.qr").first).to_be_visible()
    for direction, button in (("in", "确认签到"), ("out", "确认签退")):
        url = desk.locator(f"#qr-{direction}").get_attribute("href")
        page.goto(url)
        page.get_by_role("button", name=button).click()
        expect(page).to_have_url(re.compile(r"/volunteers/me/$"))

    # A forged code is refused with a clear message.
    page.goto("/volunteers/checkin/?t=forged")
    expect(page.locator("#checkin-error")).to_contain_text("二维码无效")

    # The organiser confirms the hours from the activity's start.
    desk.reload()
    desk.locator("input[name$='-started_at']").fill(start.strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_role("button", name="确认时长").click()
    expect(desk.locator(".msg.success")).to_contain_text("时长已确认")

    # Hours, star and points have moved; the member redeems the reward.
    page.goto("/volunteers/me/")
    expect(page.locator("#my-star")).to_have_text("1★")
    expect(page.locator("#my-hours")).to_have_text(re.compile(r"^10[01]"))
    expect(page.locator("#my-points")).to_have_text(re.compile(r"^3\d$"))
    expect(page.locator("#my-duty")).to_contain_text("已达标")
    page.locator("#my-rewards").get_by_role("button", name="兑换").click()
    expect(page.locator(".msg.success")).to_contain_text("兑换成功")
    expect(page.locator("#my-rewards")).to_contain_text("待领取")

    # The community hands it over.
    desk.goto("/volunteers/rewards/")
    desk.get_by_role("button", name="确认领取").click()
    expect(desk.locator(".msg.success")).to_contain_text("已确认领取")
    assert Redemption.objects.get().status == "handed_over"
