from django import forms
from django.utils import timezone

from anju.core import periods
from anju.core.forms import DatePicker

from . import choices


class VisitForm(forms.Form):
    period = forms.CharField(label="回访月份", max_length=7, help_text="如 2026-11")
    visited_on = forms.DateField(label="回访日期", widget=DatePicker())
    changes = forms.MultipleChoiceField(
        label="五个变化：有变化的项",
        choices=choices.FIVE_CHANGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    situations = forms.MultipleChoiceField(
        label="五种情况：需要关注的项",
        choices=choices.FIVE_SITUATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_unmet = forms.MultipleChoiceField(
        label="两不愁三保障及饮水安全：未保障的项",
        choices=choices.BASIC_NEEDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_for(cls, visit=None, period: str | None = None) -> dict:
        if visit is not None:
            return {
                "period": visit.period,
                "visited_on": visit.visited_on,
                "changes": visit.changes,
                "situations": visit.situations,
                "needs_unmet": visit.needs_unmet,
                "note": visit.note,
            }
        return {"period": period or periods.current(), "visited_on": timezone.localdate()}


def _money_field(label: str):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class IncomeForm(forms.Form):
    year = forms.IntegerField(label="年度")
    reference_date = forms.DateField(
        label="计算日期",
        required=False,
        widget=DatePicker(),
        help_text="按这一天的家庭人数计算人均；不填为年末（本年度为今天）",
    )
    wage = _money_field("工资性收入（元）")
    business = _money_field("生产经营性收入（元）")
    property_income = _money_field("财产性收入（元）")
    transfer = _money_field("转移性收入（元）")
    business_cost = _money_field("生产经营性支出（元）")
    medical_cost = _money_field("合规自付医疗支出（元）")
    schooling_cost = _money_field("教育支出（元）")
