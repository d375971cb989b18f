"""Every change in the volunteers app: one function, one transaction, audited,
scoped. ``actor=None`` is the system (commands, the demo, signal receivers)."""

from shequ.volunteers.services.activities import (
    activity_cancel,
    activity_create,
    attendance_record,
    checkin_read,
    checkin_scan,
    checkin_token,
    signup_cancel,
    signup_create,
)
from shequ.volunteers.services.hours import (
    order_credit,
    record_confirm,
    record_correct,
)
from shequ.volunteers.services.people import (
    building_post_assign,
    charity_resource_add,
    group_create,
    organization_create,
    party_member_confirm,
    party_member_register,
    social_worker_create,
    volunteer_for,
    volunteer_register,
    volunteer_update,
)
from shequ.volunteers.services.points import (
    redemption_cancel,
    redemption_create,
    redemption_hand_over,
    reward_create,
    reward_restock,
)
from shequ.volunteers.services.rules import rules_update

__all__ = [
    "activity_cancel",
    "activity_create",
    "attendance_record",
    "building_post_assign",
    "charity_resource_add",
    "checkin_read",
    "checkin_scan",
    "checkin_token",
    "group_create",
    "order_credit",
    "organization_create",
    "party_member_confirm",
    "party_member_register",
    "record_confirm",
    "record_correct",
    "redemption_cancel",
    "redemption_create",
    "redemption_hand_over",
    "reward_create",
    "reward_restock",
    "rules_update",
    "signup_cancel",
    "signup_create",
    "social_worker_create",
    "volunteer_for",
    "volunteer_register",
    "volunteer_update",
]
