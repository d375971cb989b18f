"""Where inbox messages are copied to. ``SHEQU_NOTIFICATION_SENDERS`` lists
them (default ``["email", "sms"]``; ``[]`` keeps the inbox only).

* ``email``: Django's email backend (``EMAIL_BACKEND``), to the user's address.
* ``sms``: an SMS gateway chosen by ``SHEQU_SMS_BACKEND`` (a dotted path to a
  class with ``send(mobile, text)``); the default ``ConsoleSmsBackend`` only
  logs that a message went out, for development. A real gateway (a
  provider's HTTP API) implements the same one method.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from shequ.core.models import Notification

log = logging.getLogger("shequ.notifications")

DEFAULT_SENDERS = ("email", "sms")
DEFAULT_SMS_BACKEND = "shequ.core.notifications.senders.ConsoleSmsBackend"


class SmsBackend:
    """The SMS gateway interface: one text to one mobile number."""

    def send(self, mobile: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Development: log that an SMS would go out (never the number itself)."""

    sent: list[str] = []  # texts sent in this process, for tests and the console

    def send(self, mobile: str, text: str) -> None:
        ConsoleSmsBackend.sent.append(text)
        log.info("sms (console) to a ***%s number: %s", len(mobile), text)


class LocmemSmsBackend(ConsoleSmsBackend):
    """Tests: keep the messages (with their numbers) in memory."""

    outbox: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        LocmemSmsBackend.outbox.append((mobile, text))


def sms_backend() -> SmsBackend:
    return import_string(getattr(settings, "SHEQU_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


def _text(row: Notification) -> str:
    return f"{row.title} {row.body}".strip()


def send_email(row: Notification) -> bool:
    address = row.user.email
    if not address:
        return False
    send_mail(
        subject=row.title,
        message=f"{row.body}\n\n{row.link}".strip(),
        from_email=None,
        recipient_list=[address],
    )
    return True


def send_sms(row: Notification) -> bool:
    mobile = row.user.mobile
    if not mobile:
        return False
    sms_backend().send(mobile, _text(row)[:140])
    return True


SENDERS = {"email": send_email, "sms": send_sms}


def configured() -> list:
    names = getattr(settings, "SHEQU_NOTIFICATION_SENDERS", DEFAULT_SENDERS)
    return [SENDERS[name] for name in names if name in SENDERS]
