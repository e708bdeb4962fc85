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
    workshop = forms.ModelChoiceField(
        label="帮扶车间（帮扶车间就业时选择）", queryset=None, required=False
    )
    post_type = forms.ChoiceField(
        label="公益岗位类型（公益岗位时选择）",
        choices=[("", "—"), *choices.POST_TYPES],
        required=False,
    )
    organised_by = forms.CharField(
        label="组织输出机构（有组织输出的填写）", max_length=200, required=False
    )
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, workshops=None, **kwargs):
        from .models import Workshop

        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = (
            workshops if workshops is not None else Workshop.objects.none()
        )


class EndJobForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DatePicker())
    reason = forms.ChoiceField(label="结束原因", choices=[("", "—"), *choices.END_REASONS])
    helper = forms.CharField(label="一对一帮扶人（失业时填写）", max_length=100, required=False)


class EmployerForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=300, required=False)


class PostingForm(forms.Form):
    employer = forms.ModelChoiceField(label="用工单位", queryset=None)
    title = forms.CharField(label="岗位名称", max_length=100)
    head_count = forms.IntegerField(label="招聘人数", min_value=1)
    sex = forms.ChoiceField(label="性别要求", choices=choices.SEXES, required=False)
    age_min = forms.IntegerField(label="最低年龄", required=False, min_value=16, max_value=80)
    age_max = forms.IntegerField(label="最高年龄", required=False, min_value=16, max_value=80)
    education_min = forms.ChoiceField(label="最低文化程度", required=False)
    skills = forms.CharField(label="技能要求", max_length=200, required=False)
    health = forms.CharField(label="健康要求", max_length=100, required=False)
    place = forms.CharField(label="工作地点", max_length=200)
    area = forms.ChoiceField(label="地域", choices=choices.AREAS)
    latitude = forms.DecimalField(
        label="工作地点纬度（WGS-84，选填）", required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label="工作地点经度（WGS-84，选填）", required=False, max_digits=10, decimal_places=6
    )
    pay_kind = forms.ChoiceField(label="计酬方式", choices=choices.PAY_KINDS)
    pay_min = forms.DecimalField(
        label="薪酬下限（元）", min_value=0, max_digits=10, decimal_places=2
    )
    pay_max = forms.DecimalField(
        label="薪酬上限（元）", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    benefits = forms.CharField(label="福利待遇", max_length=300, required=False)
    home_based = forms.BooleanField(label="可居家或计件", required=False)
    shifts = forms.CharField(label="班次", max_length=100, required=False)
    valid_from = forms.DateField(label="有效期自", widget=DatePicker())
    valid_to = forms.DateField(label="有效期至", widget=DatePicker())
    source = forms.ChoiceField(label="岗位来源", choices=choices.SOURCES)

    def __init__(self, *args, employers, **kwargs):
        from anju.registry.choices import EDUCATION

        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        self.fields["education_min"].choices = [("", "不限"), *[(e, e) for e in EDUCATION]]


class SeekerForm(forms.Form):
    wanted = forms.CharField(label="求职意向", max_length=200, required=False)
    where = forms.ChoiceField(label="意向地域", choices=choices.WHERE)
    min_pay = forms.DecimalField(
        label="期望月收入不低于（元）", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    home_based_only = forms.BooleanField(label="只能居家或就近灵活就业", required=False)
    near_site = forms.BooleanField(label="只在安置点 20 分钟生活圈内就业", required=False)
    part_time = forms.BooleanField(label="只能兼职", required=False)
    skills = forms.CharField(label="技能", max_length=200, required=False)
    active = forms.BooleanField(label="求职中", required=False, initial=True)


# The steps a push may move to, as the posting page offers them.
PUSH_STEPS = [s for s in choices.PUSH_STATUSES if s[0] != "recommended"]


class WorkshopForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=choices.WORKSHOP_KINDS)
    employer = forms.ModelChoiceField(label="经营单位", queryset=None, required=False)
    sites = forms.ModelMultipleChoiceField(label="服务的安置点", queryset=None, required=False)
    address = forms.CharField(label="地址", max_length=300, required=False)
    jobs = forms.IntegerField(label="提供岗位数", min_value=1)
    opened_on = forms.DateField(label="开办日期", widget=DatePicker())
    home_based = forms.BooleanField(label="可居家或计件", required=False)

    def __init__(self, *args, employers, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        self.fields["sites"].queryset = sites


class QuarterForm(forms.Form):
    period = forms.CharField(label="季度（如 2026-Q4）", max_length=20)
    total_workers = forms.IntegerField(label="用工人数", min_value=0)
    relocated_workers = forms.IntegerField(label="其中搬迁劳动力", min_value=0)
    wages_paid = forms.DecimalField(
        label="本季度发放工资（元）", min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label="备注", max_length=300, required=False)


class CourseForm(forms.Form):
    kind = forms.ChoiceField(label="培训类型", choices=[("", "—"), *choices.COURSE_KINDS])
    title = forms.CharField(label="培训项目", max_length=200)
    provider = forms.CharField(label="培训机构", max_length=200)
    site = forms.ModelChoiceField(
        label="服务安置点", queryset=None, required=False, empty_label="不限安置点（本单位）"
    )
    starts_on = forms.DateField(label="开班日期", widget=DatePicker())
    ends_on = forms.DateField(label="结业日期", widget=DatePicker())
    planned_count = forms.IntegerField(label="计划培训人数", min_value=1, max_value=100000)
    filed_on = forms.DateField(
        label="备案日期",
        widget=DatePicker(),
        help_text="培训方案报人社部门备案的日期；按工作日历核对是否按时备案。",
    )
    allowance_class = forms.ChoiceField(
        label="生活交通费补贴（按课时分类）", choices=choices.ALLOWANCE_CLASSES, required=False
    )
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class EnrolmentForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18)
    attended_days = forms.IntegerField(label="出勤天数", min_value=0, max_value=366, initial=0)
    completed = forms.BooleanField(label="已结业", required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)


class PostingImportForm(forms.Form):
    file = forms.FileField(
        label="岗位信息文件（.xlsx / .xls / .csv）",
        help_text="一个岗位一行，表头见模板；表头上方可以有标题行。",
    )
    dry_run = forms.BooleanField(label="只校验，不写入（试导入）", required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError("只支持 .xlsx、.xls 和 .csv 文件。")
        return f
