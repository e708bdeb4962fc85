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


class FeedForm(forms.Form):
    department = forms.ChoiceField(label="部门")
    period = forms.CharField(label="数据所属月份", max_length=7, help_text="如 2026-11")
    file = forms.FileField(
        label="筛查数据文件（.xlsx / .xls / .csv）",
        help_text="列：身份证号、姓名、指标、数值、发生日期、备注；表头上方可以有标题行。",
    )
    dry_run = forms.BooleanField(label="只校验，不写入（试导入）", required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments

    def clean_period(self):
        try:
            return periods.parse(self.cleaned_data["period"], "period")
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".xlsm", ".csv")):
            raise forms.ValidationError("只支持 .xlsx、.xls 和 .csv 文件。")
        return f
