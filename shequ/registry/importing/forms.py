from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.registry.importing.models import CommitMode, DuplicateMode


class UploadForm(forms.Form):
    area = forms.ModelChoiceField(label=_("导入到"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("表格文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV 文件，不超过 50 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda a: f"{a.get_level_display()} · {a.name}"


class ValidateForm(forms.Form):
    duplicate_mode = forms.ChoiceField(
        label=_("遇到重复的人"), choices=DuplicateMode.choices, initial=DuplicateMode.SKIP
    )


class CommitForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=CommitMode.choices,
        initial=CommitMode.VALID_ONLY,
        widget=forms.RadioSelect,
    )
    duplicate_mode = forms.ChoiceField(
        label=_("遇到重复的人"),
        choices=DuplicateMode.choices,
        initial=DuplicateMode.SKIP,
        widget=forms.RadioSelect,
    )
