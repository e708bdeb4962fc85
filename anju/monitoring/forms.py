from django import forms
from django.utils import timezone

from anju.core import periods
from anju.core.forms import DatePicker

from . import choices


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files from one input (a phone's camera or gallery)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


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
    photos = PhotosField(
        label="照片（可选，JPG/PNG，每张 5 MB 以内，最多 6 张）",
        required=False,
        widget=PhotosInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )

    # 家庭成员变化: written to the registry with the visit as the reason (services.MemberChanges).
    new_name = forms.CharField(label="新增成员姓名", required=False, max_length=50)
    new_id_number = forms.CharField(label="新增成员身份证号", required=False, max_length=18)
    new_relation = forms.ChoiceField(label="与户主关系", required=False)
    died_member = forms.ChoiceField(label="去世的成员", required=False)
    died_on = forms.DateField(label="去世日期", required=False, widget=DatePicker())
    ill_member = forms.ChoiceField(label="新患疾病或残疾的成员", required=False)
    ill_health = forms.ChoiceField(label="健康状况", required=False)
    jobless_member = forms.ChoiceField(label="失去工作的成员", required=False)

    MEMBER_FIELDS = (
        "new_name",
        "new_id_number",
        "new_relation",
        "died_member",
        "died_on",
        "ill_member",
        "ill_health",
        "jobless_member",
    )

    def __init__(self, *args, members=(), **kwargs):
        from anju.registry import choices as registry_choices

        super().__init__(*args, **kwargs)
        people = [("", "—")] + [(str(p.pk), f"{p.name}（{p.relation}）") for p in members]
        for name in ("died_member", "ill_member", "jobless_member"):
            self.fields[name].choices = people
        self.fields["new_relation"].choices = [("", "—")] + [
            (r, r) for r in registry_choices.RELATIONS if r != registry_choices.HEAD
        ]
        self.fields["ill_health"].choices = [("", "—")] + [
            (h, h) for h in registry_choices.HEALTH if h != "健康"
        ]

    def service_data(self) -> dict:
        """The cleaned data as ``services.record_visit`` takes it."""
        data = dict(self.cleaned_data)
        data["member_changes"] = {name: data.pop(name) for name in self.MEMBER_FIELDS}
        return data

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


class ExchangeForm(forms.Form):
    file = forms.FileField(
        label="从全国系统导出的文件（.xlsx / .xls）",
        help_text="须有“户信息”表（户主证件号码、监测对象类别、风险类型、纳入监测时间、风险是否消除……）；"
        "有“监测对象信息”表时一并核对成员。",
    )
    dry_run = forms.BooleanField(label="只校验，不写入（试导入）", required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".xlsm")):
            raise forms.ValidationError("只支持 .xlsx 和 .xls 文件。")
        return f


YES_NO = [("1", "是"), ("0", "否")]


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )


class StepForm(forms.Form):
    """One identification step; the door check and the village review ask more."""

    acted_on = forms.DateField(label="日期", widget=DatePicker())
    passed = forms.TypedChoiceField(
        label="意见",
        choices=[("1", "通过"), ("0", "不予纳入")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="情况说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不予纳入须写明理由。",
    )
    attachment = forms.FileField(
        label="附件（照片或 PDF，10 MB 以内）",
        required=False,
        help_text="如签字的承诺授权书、评议记录、公示照片、审核审定文件。",
    )

    def __init__(self, *args, kind: str, procedure: str = "identify", **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.procedure = kind, procedure
        if procedure == "eliminate":
            self.fields["passed"].choices = [("1", "通过"), ("0", "不通过")]
            self.fields["note"].help_text = "不通过须写明理由。"
            if kind == "door_check":
                self.fields["method"] = forms.ChoiceField(
                    label="消除方式",
                    choices=[("by_assistance", "帮扶消除"), ("naturally", "自然消除")],
                    widget=forms.RadioSelect,
                )
                self.fields["housing_safe"] = _yes_no("住房安全")
                self.fields["water_safe"] = _yes_no("饮水安全")
        elif kind == "door_check":
            self.fields["commitment_signed"] = forms.BooleanField(
                label="农户已签署承诺授权书", required=False
            )
            self.fields["category"] = forms.ChoiceField(
                label="监测对象类别", choices=[("", "请选择"), *choices.CATEGORIES], required=False
            )
            self.fields["risk_types"] = forms.MultipleChoiceField(
                label="风险类型（可多选）",
                choices=choices.RISK_TYPES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["housing_safe"] = _yes_no("住房安全")
            self.fields["water_safe"] = _yes_no("饮水安全")
        if kind == "village_review":
            self.fields["notice_from"] = forms.DateField(
                label="公示开始", widget=DatePicker(), required=False
            )
            self.fields["notice_to"] = forms.DateField(
                label="公示结束",
                widget=DatePicker(),
                required=False,
                help_text="公示不少于 5 天；公示内容不含身份证号、电话、银行账号和健康状况。",
            )


class CadresForm(forms.Form):
    destination_cadre = forms.CharField(label="安置地帮扶责任人", max_length=100)
    origin_cadre = forms.CharField(label="迁出地帮扶责任人", max_length=100)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label="措施类型", choices=choices.MEASURE_KINDS)
    risk_type = forms.ChoiceField(label="针对风险", choices=choices.RISK_TYPES)
    content = forms.CharField(label="措施内容", widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label="责任人", max_length=100, required=False)
    planned_on = forms.DateField(label="计划完成日期", widget=DatePicker())

    def __init__(self, *args, risk_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(choices.RISK_TYPES)
        self.fields["risk_type"].choices = [(r, names.get(r, r)) for r in risk_types]


class MeasureDoneForm(forms.Form):
    done_on = forms.DateField(label="落实日期", widget=DatePicker())
    outcome = forms.CharField(label="成效", max_length=500)
