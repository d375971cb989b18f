"""``{% load registry_transfer %}``: may this user move people between communities here?"""

from django import template

from shequ.core.scoping import can
from shequ.registry.choices import Action

register = template.Library()


@register.filter
def can_transfer(user, path: str) -> bool:
    """{% if user|can_transfer:resident.area_path %}: community staff on that side."""
    return bool(getattr(user, "is_authenticated", False)) and can(user, Action.TRANSFER, path)
