import django_filters
from django.db.models import Q


class ScopedFilterSet(django_filters.FilterSet):
    """Choice lists of related rows (上级单位, 安置点 …) only offer what the user may see."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for flt in self.filters.values():
            queryset = getattr(flt, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "scope_path_field"):
                flt.queryset = queryset.model.objects.visible_to(user)


class SearchFilterSet(ScopedFilterSet):
    """A free-text ``q`` over the fields a ledger names in ``search_fields``."""

    q = django_filters.CharFilter(label="搜索", method="search")
    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset, name, value):
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(q)
