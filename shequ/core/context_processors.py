from django.conf import settings

from shequ.core import registry
from shequ.core.scoping import can, user_roles


def shell(request):
    """Navigation entries the user may use, and their roles, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "my_roles": []}
    menu = [entry for entry in registry.menu_entries if can(user, entry.action)]
    return {"menu": menu, "my_roles": sorted(user_roles(user)), "debug_banner": settings.DEBUG}
