"""The forms of the award pages: a pack picked by its document's title and a year."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gaoxin.engine.periods import Period
from gaoxin.policy.packs import page_packs


class PackYearForm(forms.Form):
    pack = forms.ChoiceField(label=_("政策文件"), help_text=_("按哪份政策文件的条款测算"))
    period = forms.CharField(
        label=_("年度"), max_length=10, help_text=_("奖补所依据数据的年度，如 2024")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pack"].choices = [("", gettext("请选择")), *page_packs("rules")]

    def clean_period(self) -> Period:
        text = self.cleaned_data["period"].strip()
        try:
            period = Period.parse(text)
        except ValueError:
            period = None
        if period is None or period.kind != "year":
            raise forms.ValidationError(
                gettext("「%(text)s」不是年度：请填四位年份，如 2024") % {"text": text}
            )
        return period
