"""List lengths from the roll-ups, capped counts for searches, and the indexed search itself."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.core import pagination
from anju.registry import selectors, services
from anju.registry.filters import HouseholdFilter, PersonFilter

from .sheets import make_id


@pytest.fixture
def households(world):
    """Town A gets households of both categories and safety nets, one in the grid's building."""
    a = world.a
    made = []
    for n, (category, safety_net, building) in enumerate(
        [
            ("lifted", "dibao", a.building),
            ("co_relocated", "", None),
            ("co_relocated", "tekun", a.building),
            ("lifted", "", None),
        ]
    ):
        household = services.create_household(
            None,
            number=f"甲1{n:02d}",
            category=category,
            safety_net=safety_net,
            site=a.site,
            building=building,
        )
        for m in range(n + 1):
            services.add_person(
                None,
                household,
                name=f"王{'小明' if m == 0 else '二'}{n}",
                id_number=make_id("19900101", 100 + n * 10 + m),
                relation="户主" if m == 0 else "之子",
            )
        made.append(household)
    return made


FILTERS = [
    {},
    {"category": "lifted"},
    {"category": "co_relocated"},
    {"safety_net": "dibao"},
    {"safety_net": "tekun", "category": "co_relocated"},
    {"site": "SITE"},
    {"unit": "TOWN"},
    {"unit": "GRID"},
    {"unit": "TOWN", "category": "lifted"},
]


def _params(world, filters: dict) -> dict:
    values = {"SITE": world.a.site.pk, "TOWN": world.a.unit.key, "GRID": world.a.grid.key}
    return {k: values.get(v, v) for k, v in filters.items()}


@pytest.mark.parametrize("who", ["whole_county", "town_staff", "site_staff", "grid_worker"])
@pytest.mark.parametrize("filters", FILTERS)
def test_list_lengths_from_rollups_equal_the_rows(world, households, client_for, who, filters):
    """The household list, the household API and the person API give, for every filter of the
    roll-ups' dimensions, the exact number of rows the user sees, without counting them."""
    if who == "grid_worker" and "site" in filters:
        pytest.skip("a grid worker sees part of a site: the site is not among its choices")
    user = world.users[who]
    params = _params(world, filters)
    client = client_for(user)
    expected_households = HouseholdFilter(
        params, queryset=selectors.households(user), request=type("R", (), {"user": user})
    ).qs.count()
    person_params = {k: v for k, v in params.items() if k != "safety_net"}
    expected_persons = PersonFilter(
        person_params, queryset=selectors.persons(user), request=type("R", (), {"user": user})
    ).qs.count()

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/registry/", params)
        api = client.get("/api/households/", params).json()
        people = client.get("/api/persons/", person_params).json()
    assert page.status_code == 200
    assert page.context["page"].paginator.count == expected_households
    assert f"共 {expected_households} 条" in page.content.decode()
    assert (api["count"], api["count_exact"]) == (expected_households, True)
    assert (people["count"], people["count_exact"]) == (expected_persons, True)
    counted = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(*)" in q["sql"]
        and ('FROM "registry_household"' in q["sql"] or 'FROM "registry_person"' in q["sql"])
    ]
    if who == "grid_worker" or filters.get("unit") == "GRID":
        return  # a grid keeps no roll-up row: its few households are counted
    assert counted == [], "the list length must come from the roll-ups"


def test_search_is_counted_and_capped(world, households, client_for, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    client = client_for(world.users["town_staff"])
    page = client.get("/registry/", {"q": "王"})
    assert page.context["page"].paginator.capped
    assert "超过 2 条，请用筛选缩小范围" in page.content.decode()
    api = client.get("/api/households/", {"q": "王"}).json()
    assert (api["count"], api["count_exact"], len(api["results"])) == (2, False, 2)
    one = client.get("/api/households/", {"q": "王小明2"}).json()
    assert (one["count"], one["count_exact"]) == (1, True)
    # Unfiltered lists come from the roll-ups and are never capped.
    assert client.get("/api/persons/").json()["count"] == 2 + 1 + 2 + 3 + 4


def _numbers(client, url, q):
    rows = client.get(url, {"q": q}).json()["results"]
    return sorted(r.get("number") or r.get("household_number") for r in rows)


def test_search_by_any_part_of_a_name_an_id_number_or_a_household_number(
    world, households, client_for
):
    client = client_for(world.users["town_staff"])
    # Surname alone, the whole name, and a given name without the surname.
    assert _numbers(client, "/api/households/", "王") == ["甲100", "甲101", "甲102", "甲103"]
    assert _numbers(client, "/api/households/", "王小明1") == ["甲101"]
    assert _numbers(client, "/api/households/", "小明3") == ["甲103"]
    assert _numbers(client, "/api/households/", "户主") == ["甲001"]
    # Characters all in the name but not in that order do not match.
    assert _numbers(client, "/api/households/", "明小") == []
    # A full identity number, lower-case x or not.
    person = households[2].members.order_by("id").last()
    assert _numbers(client, "/api/households/", person.id_number.lower()) == ["甲102"]
    # A household number fragment of three characters or more.
    assert _numbers(client, "/api/households/", "101") == ["甲101"]
    assert _numbers(client, "/api/households/", "甲10") == ["甲100", "甲101", "甲102", "甲103"]
    # Persons: by name, and every member of a household found by its number.
    assert _numbers(client, "/api/persons/", "王二3") == ["甲103"] * 3
    assert _numbers(client, "/api/persons/", "甲102") == ["甲102"] * 3
    # Never outside the user's scope: town B's 乙001 exists but is not found.
    assert _numbers(client, "/api/households/", "001") == ["甲001"]
    assert _numbers(client, "/api/households/", "乙户主") == []
    # The page finds the same.
    assert "甲103" in client.get("/registry/", {"q": "小明3"}).content.decode()


def test_search_page_runs_a_fixed_number_of_queries(world, households, client_for):
    client = client_for(world.users["whole_county"])
    client.get("/registry/", {"q": "王"})
    with CaptureQueriesContext(connection) as few:
        client.get("/registry/", {"q": "王"})
    for n in range(5):
        services.create_household(None, number=f"甲2{n:02d}", category="lifted", site=world.a.site)
        services.add_person(
            None,
            world.a.site.households.get(number=f"甲2{n:02d}"),
            name=f"王五{n}",
            id_number=make_id("19950101", 300 + n),
            relation="户主",
        )
    with CaptureQueriesContext(connection) as more:
        client.get("/registry/", {"q": "王"})
    assert len(more.captured_queries) == len(few.captured_queries)
