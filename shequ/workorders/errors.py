"""The work-order engine's errors, on top of core's (``shequ.core.errors``)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError


class IllegalTransition(Conflict):
    """The state machine does not allow this step from the order's state."""

    code = "illegal_transition"
    default_message = _("工单当前状态不允许此操作，请刷新后查看最新状态。")


class AlreadyClaimed(Conflict):
    """Someone else claimed the order first."""

    code = "already_claimed"
    default_message = _("该服务单已被他人认领。")


class StaleVersion(DomainError):
    """The client edited an older version of the order (If-Match did not match)."""

    code = "stale_version"
    status = 412
    default_message = _("工单已被他人修改，请刷新后再试。")
