from django import forms

from anju.core.forms import DatePicker

from . import choices


class JobForm(forms.Form):
    kind = forms.ChoiceField(label="就业类型", choices=[("", "—"), *choices.KINDS])
    employer = forms.CharField(label="就业单位或地点", max_length=200, required=False)
    started_on = forms.DateField(label="开始日期", widget=DatePicker())
    monthly_income = forms.DecimalField(
        label="月收入（元）", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    contract_months = forms.IntegerField(
        label="劳动合同期限（月）", required=False, min_value=0, max_value=600
    )
    social_insurance = forms.BooleanField(label="缴纳社会保险", required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)


class EndJobForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DatePicker())
    reason = forms.ChoiceField(label="结束原因", choices=[("", "—"), *choices.END_REASONS])
    helper = forms.CharField(label="一对一帮扶人（失业时填写）", max_length=100, required=False)
