"""农户自主申报: a printed card, a QR code, a public page that shows nothing about the household,
and a lead for the staff of its place."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from anju.audit.models import AuditLog
from anju.monitoring import reports
from anju.monitoring.models import Lead, ReportCard


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _card_url(client, household) -> str:
    page = client.get(f"/monitoring/cards/?household={household.pk}").content.decode()
    assert "<svg" in page and "农户自主申报卡" in page and household.number in page
    return re.search(r"(http://testserver)?(/r/[\w-]{40,}/)", page).group(2)


def test_a_self_report_from_the_qr_page_becomes_a_lead(world, client_for, client):
    household = world.a.household
    url = _card_url(client_for(world.users["site_staff"]), household)
    card = ReportCard.objects.get(household=household)
    assert url == f"/r/{card.token}/"
    assert AuditLog.objects.filter(object_type="monitoring.reportcard").exists()

    client.logout()  # the household has no account
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "遇到了什么困难" in body
    # Nothing about the household: no number, names, identity number, phone or place.
    head = household.members.get(relation="户主")
    for secret in (
        household.number,
        head.name,
        head.id_number,
        head.phone,
        household.phone,
        world.a.site.name,
        "甲",
    ):
        assert secret and secret not in body, secret

    done = client.post(
        url,
        {
            "hardships": ["illness", "job"],
            "description": "丈夫住院，花了两万多",
            "phone": "13912345678",
        },
    )
    assert done.status_code == 200 and "已收到您的申报" in done.content.decode()
    lead = Lead.objects.get()
    assert (lead.household, lead.source, lead.status) == (household, "self_report", "new")
    assert (lead.hardships, lead.contact_phone) == (["illness", "job"], "13912345678")
    assert lead.path == household.path

    # The staff of the place see it, the phone masked; town B's staff do not.
    staff = client_for(world.users["town_staff"])
    listing = staff.get("/monitoring/leads/").content.decode()
    assert "生病或受伤，医疗费用多、失业或务工不稳定" in listing and "139****5678" in listing
    api = staff.get("/api/leads/").json()["results"]
    assert [r["contact_phone"] for r in api] == ["139****5678"]
    other = client_for(world.users["b_town_staff"])
    assert other.get("/api/leads/").json()["results"] == []


def test_unknown_codes_and_empty_reports_are_refused(world, client):
    assert client.get("/r/not-a-real-token-but-long-enough-123456/").status_code == 404
    assert client.get("/r/short/").status_code == 404
    card = reports.cards_for(None, [world.a.household])[world.a.household.pk]
    empty = client.post(f"/r/{card.token}/", {"description": "  "})
    assert empty.status_code == 200 and "请至少选择一项困难" in empty.content.decode()
    phone = client.post(f"/r/{card.token}/", {"hardships": ["water"], "phone": "123"})
    assert "联系电话应为 11 位手机号" in phone.content.decode()
    assert not Lead.objects.exists()


def test_reports_are_rate_limited_per_card(world, client):
    card = reports.cards_for(None, [world.a.household])[world.a.household.pk]
    for _ in range(reports.PER_CARD_PER_DAY):
        assert client.post(f"/r/{card.token}/", {"hardships": ["water"]}).status_code == 200
    refused = client.post(f"/r/{card.token}/", {"hardships": ["water"]})
    assert refused.status_code == 429 and "12345" in refused.content.decode()
    assert Lead.objects.count() == reports.PER_CARD_PER_DAY


def test_reports_are_rate_limited_per_address(world, client, settings):
    settings.ANJU_SELF_REPORT_LIMITS = (10, 2)
    cards = reports.cards_for(None, [world.a.household, world.b.household])
    tokens = [c.token for c in cards.values()]
    assert client.post(f"/r/{tokens[0]}/", {"hardships": ["job"]}).status_code == 200
    assert client.post(f"/r/{tokens[1]}/", {"hardships": ["job"]}).status_code == 200
    assert client.post(f"/r/{tokens[1]}/", {"hardships": ["job"]}).status_code == 429


def test_a_renewed_card_voids_the_old_code(world, client):
    card = reports.cards_for(None, [world.a.household])[world.a.household.pk]
    old = card.token
    reports.renew_card(None, card)
    assert client.get(f"/r/{old}/").status_code == 404
    assert client.get(f"/r/{card.token}/").status_code == 200


def test_cards_for_a_unit_and_who_may_print_them(world, client_for):
    staff = client_for(world.users["town_staff"])
    page = staff.get(f"/monitoring/cards/?unit={world.a.unit.key}").content.decode()
    assert page.count("<svg") == 1 and "甲001" in page and "乙001" not in page
    assert staff.get(f"/monitoring/cards/?household={world.b.household.pk}").status_code == 404
    assert staff.get(f"/monitoring/cards/?unit={world.b.unit.key}").status_code == 404
    head = client_for(world.users["building_head"])
    assert head.get(f"/monitoring/cards/?household={world.a.household.pk}").status_code == 403
    # Printing again reuses the card: the code on a card already handed out keeps working.
    staff.get(f"/monitoring/cards/?unit={world.a.unit.key}")
    assert ReportCard.objects.count() == 1
