"""Domain errors raised by services. Each carries a stable machine code, a
message a community worker understands (translated), and optionally the form
field it concerns. The web shows the message; the API maps it to its one
error format (``shequ.api``) with the HTTP status given here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("操作无法完成。")

    def __init__(
        self, message: str | None = None, *, field: str | None = None, code: str | None = None
    ):
        self.message = message or self.default_message
        self.field = field
        if code:
            self.code = code
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    code = "invalid"
    status = 400


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("数据已被他人修改或状态不允许此操作。")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("您没有执行此操作的权限。")
