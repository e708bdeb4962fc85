import django_filters
from django.db.models import Q
from django_filters.conf import settings as filter_settings

ALL_LABEL = "全部"
# The documented API name of the free-text search; ``q`` (the page forms' name) stays an alias.
SEARCH_PARAM = "search"


class ScopedFilterSet(django_filters.FilterSet):
    """Choice lists of related rows (上级单位, 安置点 …) only offer what the user may see; an
    unselected choice reads 全部, and ``search`` is accepted wherever ``q`` is."""

    def __init__(self, data=None, *args, request=None, **kwargs):
        searching = data is not None and "q" in self.base_filters and data.get(SEARCH_PARAM)
        if searching and not data.get("q"):
            data = data.copy()
            data["q"] = data[SEARCH_PARAM]
        super().__init__(data, *args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for flt in self.filters.values():
            # A form field built earlier (the API schema builds them on the class's filters)
            # would keep the old choices and labels: build it again from what is set here.
            flt.__dict__.pop("_field", None)
            queryset = getattr(flt, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "scope_path_field"):
                flt.queryset = queryset.model.objects.visible_to(user)
            if (
                isinstance(flt, django_filters.ChoiceFilter)
                and flt.extra.get("empty_label", filter_settings.EMPTY_CHOICE_LABEL)
                == filter_settings.EMPTY_CHOICE_LABEL
            ):
                flt.extra["empty_label"] = ALL_LABEL


class SearchFilterSet(ScopedFilterSet):
    """A free-text ``q`` over the fields a ledger names in ``search_fields``."""

    q = django_filters.CharFilter(label="搜索", method="search")
    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset, name, value):
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(q)
