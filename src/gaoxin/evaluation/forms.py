"""The form that starts an evaluation: a framework picked by its Chinese title, a period, and a
scope within the user's own (the province and its cities, by name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gaoxin.engine.periods import Period
from gaoxin.evaluation.frameworks import framework_choices
from gaoxin.registry.models import Entity


def region_choices(user):
    """The regions a user may evaluate over: their scope and the regions below it."""
    return Entity.objects.restrict(user).filter(kind="region").order_by("path")


class ScopeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entity) -> str:
        return obj.name


class EvaluationForm(forms.Form):
    framework = forms.ChoiceField(
        label=_("评价体系"),
        help_text=_("按政策文件选择评价体系；国家级政策包有两个体系，请选定其一。"),
    )
    period = forms.CharField(
        label=_("评价期间"),
        max_length=10,
        help_text=_("年度评价填年份，如 2024；季度如 2025Q3，月度如 2025-07。"),
    )
    scope = ScopeField(
        label=_("评价范围"),
        queryset=Entity.objects.none(),
        empty_label=None,
        help_text=_("对该地区内的高新区（或企业）排名；只能选择您的数据范围之内。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = framework_choices()
        self.fields["framework"].choices = [("", gettext("请选择"))] + [
            (c.value, c.label) for c in self.choices
        ]
        self.fields["scope"].queryset = region_choices(user)

    def clean_period(self) -> Period:
        text = self.cleaned_data["period"].strip()
        try:
            return Period.parse(text)
        except ValueError:
            raise forms.ValidationError(
                gettext("「%(text)s」不是期间：年份写 2024，季度写 2025Q3，月份写 2025-07")
                % {"text": text}
            ) from None

    def chosen(self):
        """The picked framework (its pack, id and title)."""
        value = self.cleaned_data["framework"]
        return next(c for c in self.choices if c.value == value)
