from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import AccountKind, AuditEvent, Level
from shequ.core.roles import Role


class AreaForm(forms.Form):
    level = forms.ChoiceField(label=_("层级"), choices=Level.choices)
    code = forms.CharField(label=_("编码"), max_length=20)
    name = forms.CharField(label=_("名称"), max_length=100)


class AreaEditForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=20)
    name = forms.CharField(label=_("名称"), max_length=100)


class AreaMoveForm(forms.Form):
    new_parent = forms.IntegerField(label=_("新的上级区域"), widget=forms.Select)


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("账户类型"), choices=AccountKind.choices)
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("用户首次登录时必须修改。"),
    )


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=20, required=False)


class OtpResetForm(forms.Form):
    reason = forms.CharField(label=_("重置原因"), max_length=200)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    area = forms.IntegerField(label=_("区域"), widget=forms.Select)


class PasswordResetForm(forms.Form):
    temporary_password = forms.CharField(
        label=_("临时密码"), strip=False, widget=forms.PasswordInput
    )


class AuditFilterForm(forms.Form):
    event_type = forms.ChoiceField(
        label=_("事件类型"), choices=[("", _("全部"))] + list(AuditEvent.choices), required=False
    )
    actor = forms.CharField(label=_("操作人"), max_length=150, required=False)
    source_ip = forms.GenericIPAddressField(label=_("来源地址"), required=False)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=90, initial=30)
