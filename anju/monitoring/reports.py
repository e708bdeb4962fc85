"""农户自主申报: the household's card with a QR code, and the public page it opens.

The seed's discovery channels start with the household itself (《石城县2022年强化易地扶贫搬迁
后续扶持工作的实施方案》第3条: 搬迁户自主申报). The card carries a random token (256 bits, so no
one finds another household's page by trying); the page behind it asks only what happened and
shows nothing about the household. Each report becomes a ``Lead`` for the staff of the
household's place. Reports are rate-limited per card and per address so a card passed around
cannot flood the staff's list.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anju.audit import services as audit
from anju.core import periods
from anju.registry import normalize

from . import choices, scan
from .models import Lead, ReportCard

PER_CARD_PER_DAY = 3
PER_ADDRESS_PER_HOUR = 20
DESCRIPTION_MAX = 500


class TooMany(Exception):
    """Too many reports from one card or one address: the page says to call instead."""


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def cards_for(actor, households) -> dict[int, ReportCard]:
    """The cards of these households, making the missing ones in one insert (audited once)."""
    households = list(households)
    found = {c.household_id: c for c in ReportCard.objects.filter(household__in=households)}
    missing = [
        ReportCard(household=h, token=_new_token(), path=h.path)
        for h in households
        if h.pk not in found
    ]
    if missing:
        with transaction.atomic():
            ReportCard.objects.bulk_create(missing)
            audit.record(
                actor,
                audit.AuditLog.Action.CREATE,
                object_type="monitoring.reportcard",
                object_repr=f"自主申报卡 {len(missing)} 张",
                unit_path=missing[0].path,
                note="、".join(c.household.number for c in missing[:20])
                + ("……" if len(missing) > 20 else ""),
            )
        found.update({c.household_id: c for c in missing})
    return found


@transaction.atomic
def renew_card(actor, card: ReportCard) -> ReportCard:
    """A lost card: a new token, so the old code opens nothing any more."""
    card.token = _new_token()
    card.created_at = timezone.now()
    card.save(update_fields=["token", "created_at"])
    audit.record(
        actor,
        audit.AuditLog.Action.UPDATE,
        object_type="monitoring.reportcard",
        object_id=card.pk,
        object_repr=str(card),
        unit_path=card.path,
        note="补发自主申报卡，原二维码作废",
    )
    return card


def card_by_token(token: str) -> ReportCard:
    card = (
        ReportCard.objects.select_related("household").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if card is None:
        raise Http404("二维码无效或已作废，请联系社区工作人员。")
    return card


def _spend(key: str, limit: int, seconds: int) -> bool:
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return True


@transaction.atomic
def report(token: str, *, hardships, description: str = "", phone: str = "", address: str = ""):
    """A report from the public page: validated, limited, stored as a lead."""
    card = card_by_token(token)
    codes = dict(choices.HARDSHIPS)
    hardships = [h for h in dict.fromkeys(hardships or []) if h in codes]
    description = (description or "").strip()
    if not hardships and not description:
        raise ValidationError({"hardships": "请至少选择一项困难，或写下遇到的情况。"})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError({"description": f"情况说明请不超过 {DESCRIPTION_MAX} 字。"})
    try:
        phone = normalize.phone(phone) if phone else ""
    except normalize.CellError as exc:
        raise ValidationError({"phone": str(exc)}) from None
    day = timezone.localdate().isoformat()
    limits = getattr(settings, "ANJU_SELF_REPORT_LIMITS", (PER_CARD_PER_DAY, PER_ADDRESS_PER_HOUR))
    if not _spend(f"selfreport:card:{card.pk}:{day}", limits[0], 86400) or (
        address and not _spend(f"selfreport:addr:{address}", limits[1], 3600)
    ):
        raise TooMany("今天已提交多次。如情况紧急，请直接联系社区工作人员或拨打 12345。")
    lead = Lead.objects.create(
        household=card.household,
        source=Lead.Source.SELF_REPORT,
        hardships=[code for code, _ in choices.HARDSHIPS if code in hardships],
        description=description,
        contact_phone=phone,
        path=card.household.path,
    )
    audit.record(
        None,
        audit.AuditLog.Action.CREATE,
        object_type="monitoring.lead",
        object_id=lead.pk,
        object_repr=str(lead),
        unit_path=lead.path,
        note="农户扫码自主申报",
    )
    # The report becomes a warning for the staff now, not at the month's scan.
    scan.scan(periods.current(), households=[card.household_id])
    return lead
