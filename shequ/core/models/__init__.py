from .approval import ApprovalRequest
from .area import Area
from .audit import AuditEntry
from .token import ApiToken
from .user import RoleAssignment, User

__all__ = ["ApprovalRequest", "Area", "AuditEntry", "ApiToken", "RoleAssignment", "User"]
