from django import forms

from anju.core.forms import DatePicker
from anju.orgs.models import AdminUnit, Building, Site

from . import choices
from .models import Household, Person, SiteProfile


def _select(options):
    return [("", "—")] + [(o, o) for o in options]


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = [
            "number",
            "category",
            "settlement",
            "site",
            "destination",
            "building",
            "unit_no",
            "room_no",
            "origin_town",
            "origin_village",
            "move_in_date",
            "dwelling_area",
            "safety_net",
            "phone",
        ]
        widgets = {"move_in_date": DatePicker()}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(actor)
        self.fields["destination"].queryset = AdminUnit.objects.visible_to(actor).filter(
            level=AdminUnit.Level.VILLAGE
        )
        self.fields["building"].queryset = Building.objects.visible_to(actor)


class PersonForm(forms.ModelForm):
    """Drop-downs and check boxes for the person facts, from the enumeration table (choices)."""

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "relation",
            "ethnicity",
            "political_status",
            "education",
            "schooling",
            "health",
            "labour_skill",
            "hukou_status",
            "medical_insurance",
            "pension_insurance",
            "phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (labels, _aliases, what) in choices.PERSON_ENUMS.items():
            self.fields[name] = forms.ChoiceField(
                label=what, choices=_select(labels), required=name == "relation"
            )
        for name, (labels, what) in choices.PERSON_MULTI.items():
            self.fields[name] = forms.MultipleChoiceField(
                label=what,
                choices=[(v, v) for v in labels],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )


class MoveForm(forms.Form):
    household = forms.ModelChoiceField(label="迁入的户", queryset=Household.objects.none())
    relation = forms.ChoiceField(label="在新户中与户主关系", choices=_select(choices.RELATIONS))
    note = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(actor)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = SiteProfile
        fields = [
            f.name
            for f in SiteProfile._meta.get_fields()
            if getattr(f, "editable", False)
            and f.concrete
            and f.name not in ("id", "site", "declared_breakdowns", "declared_conflicts")
        ]
        widgets = {"declared_on": DatePicker()}


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx / .xls / .csv）")
    dry_run = forms.BooleanField(label="只校验，不写入（试导入）", required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".xlsm", ".csv")):
            raise forms.ValidationError("只支持 .xlsx、.xls 和 .csv 文件。")
        return f
