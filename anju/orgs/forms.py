from django import forms

from anju.accounts.services import visible_users
from anju.core.forms import DatePicker

from .models import AdminUnit, Building, Grid, Position, Site


class AdminUnitForm(forms.ModelForm):
    class Meta:
        model = AdminUnit
        fields = ["name", "level", "code", "is_community"]

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None:
            order = AdminUnit.LEVEL_ORDER
            allowed = order[order.index(parent.level) + 1 :]
            self.fields["level"].choices = [c for c in AdminUnit.Level.choices if c[0] in allowed]
            self.fields["level"].initial = allowed[0] if allowed else None


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "kind", "address", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["name", "kind"]


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = ["name", "grid", "floors", "unit_count"]

    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if site is not None:
            self.fields["grid"].queryset = Grid.objects.filter(site=site)
        else:
            self.fields.pop("grid")


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["title", "user", "holder_name", "phone", "start_date", "end_date"]
        widgets = {
            "start_date": DatePicker(),
            "end_date": DatePicker(),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = visible_users(actor)
        self.fields["user"].required = False
        self.fields["holder_name"].help_text = "没有平台账号的居民（如楼长）填写姓名"
