"""The site list reads the roll-ups: its figures, its 合计 row, its pages and its API agree with
the registry, and each user's figures cover only what that user serves."""

from __future__ import annotations

import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.orgs import services as org_services
from anju.registry import services
from anju.registry.tests.sheets import make_id


def _household(site, number, members):
    household = services.create_household(None, number=number, category="lifted", site=site)
    for i in range(members):
        services.add_person(
            None,
            household,
            name=f"成员{i}",
            relation="户主" if i == 0 else "之子",
            id_number=make_id("19850101", 300 + int(number[-2:]) * 10 + i),
        )
    return household


def test_site_list_totals_and_figures_per_user(world, client_for):
    _household(world.a.site, "甲901", 3)
    _household(world.b.site, "乙902", 2)
    # The county leader sees both towns: 甲 1+1 households with 2+3 persons, 乙 1+1 with 2+2.
    data = client_for(world.users["whole_county"]).get("/api/registry/sites/").json()
    figures = {
        row["name"]: (row["counted_households"], row["counted_persons"]) for row in data["results"]
    }
    assert figures == {"甲安置点": (2, 5), "乙安置点": (2, 4)}
    assert data["totals"]["counted_households"] == 4
    assert data["totals"]["counted_persons"] == 9
    assert data["totals"]["sites"] == 2
    # Town 甲's staff see 甲 only, in the figures and in the 合计.
    data = client_for(world.users["town_staff"]).get("/api/registry/sites/").json()
    assert [row["name"] for row in data["results"]] == ["甲安置点"]
    assert (data["totals"]["counted_households"], data["totals"]["counted_persons"]) == (2, 5)
    page = client_for(world.users["town_staff"]).get("/registry/sites/").content.decode()
    assert "合计" in page and "乙" not in page


def test_site_list_export_ends_with_the_totals_row(world, client_for):
    _household(world.a.site, "甲903", 1)
    response = client_for(world.users["whole_county"]).get("/registry/sites/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    body = {r[0]: r for r in rows if r[0] in ("甲安置点", "乙安置点", "合计")}
    assert (body["甲安置点"][3], body["甲安置点"][5]) == (2, 3)
    assert (body["乙安置点"][3], body["乙安置点"][5]) == (1, 2)
    assert body["合计"][1] == "2 个安置点"
    assert (body["合计"][3], body["合计"][5]) == (3, 5)


def test_site_list_pages_run_a_fixed_number_of_queries_as_sites_grow(world, client_for):
    client = client_for(world.users["whole_county"])

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = {url: count(url) for url in ("/registry/sites/", "/api/registry/sites/")}
    for i in range(4):
        site = org_services.create_site(None, admin_unit=world.a.community, name=f"新点{i}")
        _household(site, f"甲9{i}0", 1)
    assert {url: count(url) for url in before} == before


def test_site_profile_shows_land_area_as_the_plan_states_it(world, client_for):
    # 《清涧县下七里湾集中安置点后续扶持方案》 states its land in ㎡ (4,654 ㎡), others in 亩.
    services.save_profile(None, world.a.site, land_area_m2="4654")
    services.save_profile(None, world.b.site, land_area_mu="12.5")
    client = client_for(world.users["whole_county"])
    assert "4654.00 ㎡" in client.get(f"/registry/sites/{world.a.site.pk}/").content.decode()
    assert "12.50 亩" in client.get(f"/registry/sites/{world.b.site.pk}/").content.decode()
