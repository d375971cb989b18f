"""The in-app inbox and its email/SMS copies: one row per person, no personal
numbers in the text, senders chosen by a setting, and only one's own
messages on the inbox page."""

import pytest
from django.core import mail
from django.urls import reverse

from shequ.core import context
from shequ.core.models import Notification
from shequ.core.notifications import mark_read, notify, unread_count
from shequ.core.notifications.menu import inbox_label
from shequ.core.notifications.senders import LocmemSmsBackend
from shequ.core.notifications.tasks import deliver_notifications
from shequ.core.tests.factories import login, make_user

pytestmark = pytest.mark.django_db


def contact(user, email, mobile):
    user.email, user.mobile = email, mobile
    user.save(update_fields=["email", "mobile"])
    return user


@pytest.fixture
def senders(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SHEQU_SMS_BACKEND = "shequ.core.notifications.senders.LocmemSmsBackend"
    settings.SHEQU_NOTIFICATION_SENDERS = ["email", "sms"]
    LocmemSmsBackend.outbox.clear()
    return LocmemSmsBackend.outbox


def test_notify_fills_each_inbox_once_and_sends_copies_after_commit(
    senders, django_capture_on_commit_callbacks
):
    alice = contact(make_user(), "alice@example.org", "13800000001")
    bob = make_user()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify([alice, bob, alice, None], kind="assigned", title="新工单", body="GD-1 垃圾")
    assert len(rows) == 2 and unread_count(alice) == 1 and unread_count(bob) == 1
    assert len(callbacks) == 1  # delivery waits for the commit
    deliver_notifications.call([r.pk for r in rows])
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert senders == [("13800000001", "新工单 GD-1 垃圾")]


def test_inactive_users_get_nothing():
    ghost = make_user()
    ghost.is_active = False
    ghost.save()
    assert notify(ghost, kind="x", title="t") == []


@pytest.mark.parametrize("text", ["联系 13912345678", "身份证 110101199003074514"])
def test_personal_numbers_never_go_into_a_message(text):
    row = notify(make_user(), kind="x", title=text, body=text)[0]
    for value in (row.title, row.body):
        assert "13912345678" not in value and "110101199003074514" not in value
        assert "***" in value


def test_a_failing_gateway_does_not_stop_the_others(settings):
    settings.SHEQU_SMS_BACKEND = "shequ.core.notifications.senders.SmsBackend"  # raises
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = contact(make_user(), "a@example.org", "13800000002")
    rows = notify(user, kind="x", title="t")
    assert deliver_notifications.call([rows[0].pk]) == 1
    assert len(mail.outbox) == 1


def test_the_inbox_shows_only_ones_own_messages_and_marks_read(client):
    alice, bob = make_user(), make_user()
    mine = notify(alice, kind="x", title="给我的", link="/workorders/")[0]
    theirs = notify(bob, kind="x", title="给别人的")[0]
    login(client, alice)
    page = client.get(reverse("core:inbox"))
    text = page.content.decode()
    assert page.status_code == 200 and "给我的" in text and "给别人的" not in text
    response = client.post(reverse("core:inbox_read", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/workorders/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    client.post(reverse("core:inbox_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert mark_read(user=alice, notification_id=theirs.pk) is None


def test_an_outside_link_is_never_followed(client):
    alice = make_user()
    row = notify(alice, kind="x", title="t", link="https://evil.example/")[0]
    login(client, alice)
    response = client.post(reverse("core:inbox_read", args=[row.pk]))
    assert response["Location"] == reverse("core:inbox")


def test_the_menu_label_carries_the_unread_count():
    alice = make_user()
    notify(alice, kind="x", title="t")
    context.current().user = alice
    try:
        assert str(inbox_label()) == "消息（1）"
        Notification.objects.update(read_at="2026-11-22T00:00:00Z")
        assert str(inbox_label()) == "消息"
    finally:
        context.current().user = None


def test_everyone_signed_in_sees_the_inbox_entry(client, people):
    login(client, people["resident"])
    notify(people["resident"], kind="x", title="t")
    page = client.get(reverse("core:inbox"))
    assert "消息（1）" in page.content.decode()
