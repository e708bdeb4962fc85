from django import forms

from anju.core.forms import DatePicker
from anju.orgs.models import AdminUnit

from .registry import KEYS, to_text


class ParameterValueForm(forms.Form):
    key = forms.ChoiceField(label="参数")
    unit = forms.ModelChoiceField(label="适用单位", queryset=AdminUnit.objects.none())
    valid_from = forms.DateField(label="生效日期", widget=DatePicker())
    valid_to = forms.DateField(
        label="截止日期",
        required=False,
        widget=DatePicker(),
        help_text="留空表示长期有效",
    )
    value = forms.CharField(label="参数值", max_length=500)
    source = forms.CharField(label="依据（文件、条款）", max_length=200, required=False)

    def __init__(self, *args, units=None, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": instance.key,
                    "unit": instance.unit_id,
                    "valid_from": instance.valid_from,
                    "valid_to": instance.valid_to,
                    "source": instance.source,
                    "value": to_text(KEYS[instance.key], instance.value)
                    if instance.key in KEYS
                    else instance.value,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [
            (k.key, f"{k.name}（{k.unit}，{k.kind.label}，例：{k.kind.example}）")
            for k in KEYS.values()
        ]
        self.fields["unit"].queryset = units if units is not None else AdminUnit.objects.none()
        if instance is not None:
            self.fields["key"].disabled = True
            self.fields["unit"].disabled = True


class ResolveForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=AdminUnit.objects.none())
    on = forms.DateField(label="日期", widget=DatePicker())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else AdminUnit.objects.none()


class WorkdayForm(forms.Form):
    day = forms.DateField(label="日期", widget=DatePicker())
    is_workday = forms.TypedChoiceField(
        label="这一天",
        choices=[("0", "放假"), ("1", "上班（调休）")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label="说明", max_length=100, required=False, help_text="如：元旦、春节调休"
    )
