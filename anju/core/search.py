"""The API's ``?search=`` (its own module: DRF reads the filter backends while ``core.api``
is still being imported)."""

from rest_framework import filters


class SearchFilter(filters.SearchFilter):
    """The documented ``?search=``. Where a view's filter set already searches (its ``q``,
    which pages use), ``search`` is handed to it (``ScopedFilterSet``); elsewhere DRF's own
    search over ``search_fields`` applies."""

    search_title = "搜索"
    search_description = "关键词搜索（与 q 相同）"

    def _filterset_searches(self, view) -> bool:
        filterset_class = getattr(view, "filterset_class", None)
        return filterset_class is not None and "q" in filterset_class.base_filters

    def filter_queryset(self, request, queryset, view):
        if not self.get_search_fields(view, request):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        if not (getattr(view, "search_fields", None) or self._filterset_searches(view)):
            return []
        return [
            {
                "name": self.search_param,
                "required": False,
                "in": "query",
                "description": self.search_description,
                "schema": {"type": "string"},
            }
        ]
