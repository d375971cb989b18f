from django import forms
from django.utils.translation import gettext_lazy as _


class ResidentSearchForm(forms.Form):
    """Sent by POST: the box may hold an ID or mobile number, which must never
    appear in a URL (SECURITY.md row 27)."""

    q = forms.CharField(label=_("查找"), max_length=50, required=False)
    page = forms.IntegerField(min_value=1, max_value=100000, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看事由"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：办理低保复核，需核对身份证号")}),
    )
