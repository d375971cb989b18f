from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ counts|get_item:key }}: a dict value in a template."""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0
