"""每月回访台账, defined once for the page, the export and the API column order."""

from anju.core.tables import Column, Ledger

from . import choices


def _place(visit) -> str:
    h = visit.household
    return h.site.name if h.site_id else ""


VISITS = Ledger(
    "每月回访台账",
    (
        Column("回访月份", "period"),
        Column("户编号", lambda v: v.household.number, link=lambda v: v.get_absolute_url()),
        Column("安置点", _place),
        Column("回访日期", "visited_on"),
        Column("回访人", "visitor_name"),
        Column("五个变化", lambda v: "、".join(choices.labels(choices.FIVE_CHANGES, v.changes))),
        Column(
            "五种情况", lambda v: "、".join(choices.labels(choices.FIVE_SITUATIONS, v.situations))
        ),
        Column(
            "未保障",
            lambda v: "、".join(choices.labels(choices.BASIC_NEEDS, v.needs_unmet)),
        ),
        Column("情况说明", "note", wrap=True),
    ),
)
