from .approval import ApprovalRequest
from .area import Area
from .audit import AuditEntry
from .idempotency import IdempotencyRecord
from .notification import Notification
from .token import ApiToken
from .user import RoleAssignment, User

__all__ = [
    "ApprovalRequest",
    "Area",
    "AuditEntry",
    "IdempotencyRecord",
    "Notification",
    "ApiToken",
    "RoleAssignment",
    "User",
]
