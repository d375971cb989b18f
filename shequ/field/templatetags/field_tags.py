"""Template tags of the field app: the page script's messages, translated."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()


def js_messages() -> dict[str, str]:
    """What app.js says to the worker, in the request's language."""
    return {
        "confirm_logout": _("还有 %(n)s 条记录未上传，退出后将从手机上删除。确定退出吗？"),
        "upload_failed": _("上传失败。"),
        "upload_failed_status": _("上传失败（%(n)s），将稍后重试。"),
        "storage_failed": _("保存失败：手机存储不可用。请改用联网提交。"),
        "uploaded": _("已上传：%(n)s"),
        "cases_made": _("；已生成工单 %(n)s"),
        "saved_offline": _("已保存在手机上，联网后自动上传。"),
        "saved_uploading": _("已保存，正在上传…"),
        "confirm_discard": _("放弃后这条记录将被删除，确定吗？"),
        "discard": _("放弃这条记录"),
        "no_location": _("未获得位置权限，已按所选地点上报。"),
        "login_expired": _("登录已过期：请重新登录，记录会自动上传。"),
        "waiting_offline": _("离线，联网后自动上传"),
        "waiting": _("等待上传"),
        "video_too_large": _("视频过大，请拍摄更短的视频（不超过 %(n)s MB）。"),
        "item": _("记录"),
        "pick_household": _("请先选择住户。"),
        "visit_label": _("走访 %(n)s"),
    }


@register.simple_tag
def field_messages():
    return json_script(js_messages(), "field-messages")


@register.filter
def door(household) -> str:
    """The household as on the door: building, unit, room."""
    from shequ.field.selectors import address

    return address(household)
