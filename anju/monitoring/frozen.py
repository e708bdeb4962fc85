"""三类人员监测帮扶台账, month by month: live until the month is frozen on the 3rd of the next
month (moved to the next working day), a snapshot afterwards that later edits do not change."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from anju.core import periods
from anju.policies import workdays
from anju.registry.choices import HEAD
from anju.registry.models import Person

from .models import LedgerMonth, LedgerRow, Measure, Warning

FREEZE_DAY = 3  # 次月3日前


def in_month(period: str) -> Q:
    """Monitored at some time of the month: identified by its end, not eliminated before it."""
    first, last = periods.bounds(period)
    return Q(status__in=("monitored", "eliminated"), identified_on__lte=last) & (
        Q(eliminated_on__isnull=True) | Q(eliminated_on__gte=first)
    )


def live(warnings):
    """Warnings annotated with the columns a frozen row keeps, under the same names."""
    members = Person.objects.filter(household=OuterRef("household_id")).order_by()
    measures = Measure.objects.filter(warning=OuterRef("pk")).order_by()

    def count(qs):
        return Coalesce(
            Subquery(
                qs.values("warning").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    return warnings.select_related("household", "household__site").annotate(
        household_number=F("household__number"),
        site_name=Coalesce(F("household__site__name"), Value("")),
        head_name=Subquery(members.filter(relation=HEAD).order_by("id").values("name")[:1]),
        members=Coalesce(
            Subquery(
                members.values("household").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        measure_count=count(measures),
        measures_done=count(measures.filter(done_on__isnull=False)),
    )


def due(period: str) -> date:
    _first, last = periods.bounds(period)
    nxt = date(last.year + (last.month == 12), last.month % 12 + 1, FREEZE_DAY)
    return workdays.on_or_after(nxt)


@transaction.atomic
def freeze(period: str) -> LedgerMonth:
    """Snapshot the month's ledger; a month already frozen is left as it is."""
    period = periods.parse(period, "period")
    month, created = LedgerMonth.objects.select_for_update().get_or_create(period=period)
    if not created:
        return month
    rows = (
        LedgerRow(
            period=period,
            warning=w,
            household=w.household,
            household_number=w.household_number,
            head_name=w.head_name or "",
            members=w.members,
            site_name=w.site_name,
            category=w.category,
            risk_types=w.risk_types,
            status=w.status,
            identified_on=w.identified_on,
            eliminated_on=w.eliminated_on,
            measure_count=w.measure_count,
            measures_done=w.measures_done,
            destination_cadre=w.destination_cadre,
            origin_cadre=w.origin_cadre,
            path=w.path,
        )
        for w in live(Warning.objects.filter(in_month(period))).iterator(chunk_size=2000)
    )
    count = 0
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 2000:
            LedgerRow.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    LedgerRow.objects.bulk_create(batch)
    month.rows = count + len(batch)
    month.frozen_at = timezone.now()
    month.save(update_fields=["rows", "frozen_at"])
    return month


def freeze_due(today: date | None = None) -> list[str]:
    """The months whose freezing day has come and that are not frozen yet (last month, and the
    one before if a run was missed)."""
    today = today or timezone.localdate()
    done = []
    this = f"{today.year:04d}-{today.month:02d}"
    for back in (2, 1):
        year, month = today.year, today.month - back
        if month < 1:
            year, month = year - 1, month + 12
        period = f"{year:04d}-{month:02d}"
        if (
            period != this
            and today >= due(period)
            and not LedgerMonth.objects.filter(period=period).exists()
        ):
            freeze(period)
            done.append(period)
    return done
