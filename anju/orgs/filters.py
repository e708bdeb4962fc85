import django_filters

from anju.core.filters import SearchFilterSet

from .models import AdminUnit, Building, Grid, Position, Site


class AdminUnitFilter(SearchFilterSet):
    search_fields = ("name", "code")
    level = django_filters.ChoiceFilter(label="层级", choices=AdminUnit.Level.choices)

    class Meta:
        model = AdminUnit
        fields = ["q", "level", "parent"]


class SiteFilter(SearchFilterSet):
    search_fields = ("name", "address", "admin_unit__name")
    kind = django_filters.ChoiceFilter(label="安置方式", choices=Site.Kind.choices)

    class Meta:
        model = Site
        fields = ["q", "kind", "admin_unit"]


class GridFilter(SearchFilterSet):
    kind = django_filters.ChoiceFilter(label="网格类型", choices=Grid.Kind.choices)

    class Meta:
        model = Grid
        fields = ["q", "kind", "site", "community"]


class BuildingFilter(SearchFilterSet):
    class Meta:
        model = Building
        fields = ["q", "site", "grid"]


class PositionFilter(SearchFilterSet):
    search_fields = ("holder_name", "user__full_name", "user__username")
    title = django_filters.ChoiceFilter(label="职务", choices=Position.Title.choices)

    class Meta:
        model = Position
        fields = ["q", "title"]
