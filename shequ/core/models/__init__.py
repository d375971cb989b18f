from .area import Area
from .audit import AuditEntry
from .token import ApiToken
from .user import RoleAssignment, User

__all__ = ["Area", "AuditEntry", "ApiToken", "RoleAssignment", "User"]
