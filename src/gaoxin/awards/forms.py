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


class TrialForm(PackYearForm):
    """测算奖补: a pack, a year and, for a pack whose rules read inputs the user supplies, the
    file of those inputs (decision 082)."""

    inputs = forms.FileField(
        label=_("用户提供的输入（可选）"),
        required=False,
        help_text=_(
            "政策文件中需由用户提供的数据（如省级评价考核结论、择优名单）：Excel 或 CSV，"
            "每个主体一行；格式见下方各政策文件的输入模板"
        ),
    )
