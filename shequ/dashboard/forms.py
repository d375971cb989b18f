from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 3660


class StatsFilterForm(forms.Form):
    area = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    start = forms.DateField(
        label=_("受理日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("日期范围不能超过十年。"))
        return data
