"""Pages of long lists with a count the database can afford at province scale.

Django's paginator counts every row of the list (``SELECT COUNT(*)``) on every page: for a
county leader over a million persons that count alone cost 0.26 s a page. Here a list is counted
one of two ways:

- exactly, from a figure the app already keeps (the registry's roll-ups), when the app can give
  one for the filters in use (``known_count``);
- otherwise by counting at most ``COUNT_CAP + 1`` rows: a list longer than that shows "超过
  10,000 条", its pages up to the cap, and asks for a narrower filter. Nobody reads page 201 of
  a ledger; they filter, or export, which is never capped.
"""

from __future__ import annotations

from functools import cached_property, partial

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, known_count=None, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = known_count
        self.cap = COUNT_CAP if cap is None else cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        rows = self.object_list
        # Any cap+1 rows count the same: no ordering, so no sort before the LIMIT.
        counted = (
            rows.order_by()[: self.cap + 1].count() if hasattr(rows, "order_by") else len(rows)
        )
        if counted > self.cap:
            self.capped = True
            return self.cap
        return counted


class CountedPagination(PageNumberPagination):
    """The API's pagination: the same counts as the pages. ``count_exact`` is false when the
    list was longer than the cap and ``count`` is the cap."""

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "known_count", None)
        self.django_paginator_class = partial(
            CountedPaginator, known_count=known() if known else None
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": not self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"为 false 时列表超过 {COUNT_CAP:,} 条，count 为 {COUNT_CAP:,}，请缩小筛选范围",
        }
        return schema
