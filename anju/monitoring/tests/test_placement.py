"""A household that moves takes its monitoring rows along (the new place's staff run its loop);
its visits stay counted where they were made."""

from __future__ import annotations

from anju.monitoring import services
from anju.monitoring.models import Income, Lead, Step, Visit, WarningSignal
from anju.monitoring.tests.test_identification import _door, _on
from anju.monitoring.tests.test_identification import warned as warned  # the fixture
from anju.registry import services as registry_services
from anju.registry.services import import_registry
from anju.registry.tests.sheets import make_id, person, write_xlsx


def test_a_moved_household_takes_its_warning_income_and_leads_along(warned, client_for):
    world, warning = warned
    household = world.a.household
    with _on("2026-11-20"):
        _door(world.users["grid_worker"], warning)
        visit = services.record_visit(
            world.users["grid_worker"], household, period="2026-11", visited_on=_today()
        )
        services.record_income(None, household, year=2025, wage="9000")
        old_path = household.path
        a_staff, b_staff = world.users["town_staff"], world.users["b_town_staff"]
        assert (
            str(household.number)
            in client_for(a_staff).get("/monitoring/warnings/").content.decode()
        )
        registry_services.update_household(None, household, site=world.b.site, building=None)
    household.refresh_from_db()
    assert household.path.startswith(world.b.site.path) and household.path != old_path
    warning.refresh_from_db()
    assert warning.path == household.path
    assert set(WarningSignal.objects.values_list("path", flat=True)) == {household.path}
    assert set(Step.objects.values_list("path", flat=True)) == {household.path}
    assert Income.objects.get(household=household).path == household.path
    assert Visit.objects.get(pk=visit.pk).path == old_path  # counted where it was made
    with _on("2026-11-21"):
        b_page = client_for(b_staff).get("/monitoring/warnings/").content.decode()
        assert household.number in b_page
        a_page = client_for(a_staff).get("/monitoring/warnings/").content.decode()
        assert household.number not in a_page
        assert client_for(a_staff).get(warning.get_absolute_url()).status_code == 404


def _today():
    from django.utils import timezone

    return timezone.localdate()


def test_an_import_that_moves_a_household_moves_its_leads(world, tmp_path):
    rows = [person("QJ0009", "赵一", make_id("19800101", 61), site="甲安置点", 楼栋="")]
    assert import_registry(None, write_xlsx(tmp_path / "v1.xlsx", rows)).ok
    from anju.registry.models import Household

    household = Household.objects.get(number="QJ0009")
    card_lead = Lead.objects.create(
        household=household, source="self", hardships=["job"], path=household.path
    )
    rows[0]["安置点"] = "乙安置点"
    outcome = import_registry(None, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert outcome.ok, outcome.errors
    household.refresh_from_db()
    card_lead.refresh_from_db()
    assert household.path.startswith(world.b.site.path)
    assert card_lead.path == household.path
