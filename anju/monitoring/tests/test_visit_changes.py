"""A change a monthly visit finds in the family (五个变化: 家庭成员数量、身体状况、就业务工) updates
the registry through its services, with the visit as the reason, in the visit's transaction."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from anju.audit.models import AuditLog
from anju.monitoring.models import Lead, Visit
from anju.registry.models import Person
from anju.registry.tests.sheets import make_id

NOV = "2026-11"


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


def _post(client, household, **member):
    return client.post(
        f"/monitoring/households/{household.pk}/visit/?period={NOV}",
        {"period": NOV, "visited_on": "2026-11-18", "note": "入户了解", **member},
    )


def test_a_newborn_a_new_disability_and_a_lost_job_go_to_the_registry(world, client_for):
    household = world.a.household
    head = household.members.get(relation="户主")
    son = household.members.get(relation="之子")
    client = client_for(world.users["grid_worker"])
    form = client.get(f"/monitoring/households/{household.pk}/visit/").content.decode()
    assert "家庭成员变化" in form and f"{son.name}（之子）" in form
    response = _post(
        client,
        household,
        new_name="甲新生儿",
        new_id_number=make_id("20261102", 31),
        new_relation="之女",
        ill_member=str(son.pk),
        ill_health="残疾",
        jobless_member=str(head.pk),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    visit = Visit.objects.get(household=household, period=NOV)
    assert visit.changes == ["members", "health", "employment"]
    assert visit.registry_changes == [
        "新增成员：甲新生儿（之女）",
        f"{son.name}：残疾",
        f"{head.name}：失去工作",
    ]
    baby = household.members.get(name="甲新生儿")
    assert baby.birth_date == date(2026, 11, 2)
    son.refresh_from_db()
    assert son.health == ["残疾"]
    reason = "2026年11月回访（2026-11-18，甲grid_worker）发现"
    assert AuditLog.objects.get(object_type="registry.person", object_id=baby.pk).note == reason
    update = AuditLog.objects.filter(
        object_type="registry.person", object_id=son.pk, action="update"
    ).get()
    assert update.note == reason and "残疾" in str(update.changes)
    # The disability and the lost job are leads for the door check, and so a warning.
    lead = Lead.objects.get(visit=visit)
    assert lead.hardships == ["disability", "job"]
    assert household.warnings.filter(status="open").exists()
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "台账变更" in page and "新增成员：甲新生儿（之女）" in page


def test_a_death_found_on_a_visit_removes_the_member_with_the_reason(world, client_for):
    household = world.a.household
    son = household.members.get(relation="之子")
    client = client_for(world.users["grid_worker"])
    response = _post(client, household, died_member=str(son.pk), died_on="2026-11-09")
    assert response.status_code == 302
    assert not Person.objects.filter(pk=son.pk).exists()
    entry = AuditLog.objects.get(object_type="registry.person", object_id=son.pk, action="delete")
    assert "2026-11-09 去世，2026年11月回访" in str(entry.changes)
    visit = Visit.objects.get(household=household, period=NOV)
    assert visit.changes == ["members"]
    assert visit.registry_changes == [f"{son.name}：2026-11-09 去世，已从台账移除"]


def test_a_refused_change_refuses_the_whole_visit(world, client_for):
    household = world.a.household
    head = household.members.get(relation="户主")
    taken = world.b.household.members.get(relation="户主").id_number
    client = client_for(world.users["grid_worker"])
    cases = [
        # An identity number already in the registry (another household's).
        ({"new_name": "重复", "new_id_number": taken, "new_relation": "之女"}, "new_id_number"),
        ({"new_name": "无关系", "new_id_number": make_id("20261101", 41)}, "new_relation"),
        ({"died_member": str(head.pk)}, "died_on"),
        ({"died_member": str(head.pk), "died_on": "2026-11-19"}, "died_on"),  # after the visit
        ({"ill_member": str(head.pk)}, "ill_health"),
    ]
    for member, field in cases:
        response = _post(client, household, **member)
        assert response.status_code == 200, member
        body = response.content.decode()
        assert response.context["form"].errors.get(field), (member, response.context["form"].errors)
        assert "家庭成员变化" in body
    # The head of a family with other members: the registry asks for a new head first.
    response = _post(client, household, died_member=str(head.pk), died_on="2026-11-10")
    assert "请先指定新的户主" in response.content.decode()
    assert not Visit.objects.exists() and household.members.count() == 2
    # Another household's member is not on offer.
    other = world.b.household.members.first()
    response = _post(client, household, jobless_member=str(other.pk))
    assert response.status_code == 200 and not Visit.objects.exists()


def test_the_api_takes_member_changes(world, client_for):
    household = world.a.household
    head = household.members.get(relation="户主")
    client = client_for(world.users["grid_worker"])
    response = client.post(
        "/api/visits/",
        {
            "household": household.pk,
            "period": NOV,
            "visited_on": "2026-11-18",
            "member_changes": {"ill_member": head.pk, "ill_health": "患有大病"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["registry_changes"] == [f"{head.name}：患有大病"]
    head.refresh_from_db()
    assert head.health == ["患有大病"]
    bad = client.post(
        "/api/visits/",
        {
            "household": household.pk,
            "period": NOV,
            "visited_on": "2026-11-18",
            "member_changes": {"died_member": head.pk, "died_on": "11月5日"},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "died_on" in bad.json()
