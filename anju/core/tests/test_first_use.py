"""What a county user tripped on when first trying the platform (issue 6, point 7): the menu,
the filters, the household list on a phone, the API's parameter names and its messages."""

from __future__ import annotations

import re
from datetime import date

from django.test import Client

from anju.accounts import access


def _menu(client) -> str:
    body = client.get("/").content.decode()
    return body.split('<div class="collapse navbar-collapse" id="nav">')[1].split("</ul>\n")[0]


def test_api_docs_are_in_the_menu_of_administrators_only(world, client_for):
    assert "接口文档" in _menu(client_for(world.users["admin"]))
    for role in ("town_staff", "grid_worker", "county_leader", "auditor"):
        user = world.users[role]
        if not access.allows(user, "accounts", "write"):
            assert "接口文档" not in _menu(client_for(user)), role


def test_schema_and_docs_need_login(world, client_for):
    anonymous = Client()
    assert anonymous.get("/api/schema/").status_code == 403
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs.url.startswith("/login/")
    assert anonymous.get("/api/docs/?script=").status_code == 302
    client = client_for(world.users["admin"])
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_import_and_charts_are_in_the_menu(world, client_for):
    writer = world.users["site_staff"]
    assert access.allows(writer, "registry", "write")
    menu = _menu(client_for(writer))
    assert "/registry/import/" in menu
    assert f"/registry/summary/{world.a.site.key}/" in menu
    menu = _menu(client_for(world.users["county_leader"]))
    assert f"/registry/summary/{world.a.unit.key}/" in menu
    if not access.allows(world.users["county_leader"], "registry", "write"):
        assert "/registry/import/" not in menu
    client = client_for(world.users["county_leader"])
    assert client.get(f"/registry/summary/{world.a.unit.key}/").status_code == 200


def test_grid_worker_reads_his_sites_profile_from_the_menu(world, client_for):
    from anju.registry import services

    services.save_profile(None, world.a.site, declared_households=12, transport="公交 3 路")
    worker = world.users["grid_worker"]
    client = client_for(worker)
    menu = _menu(client)
    url = f"/registry/sites/{world.a.site.pk}/"
    assert f'href="{url}">安置点概况' in menu
    charts = f"/registry/summary/{world.a.grid.key}/"
    assert charts in menu and client.get(charts).status_code == 200
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "公交 3 路" in body and "本人管辖部分" in body
    assert "编辑概况" not in body  # read-only for him
    assert client.get(f"/registry/sites/{world.a.site.pk}/edit/").status_code in (403, 404)
    # Another town's site stays closed to him.
    assert client.get(f"/registry/sites/{world.b.site.pk}/").status_code == 404
    # A town user keeps the site list in the menu.
    assert 'href="/registry/sites/">安置点概况' in _menu(client_for(world.users["town_staff"]))


def test_filters_offer_all_not_dashes(world, client_for):
    client = client_for(world.users["town_staff"])
    for url in ("/registry/", "/orgs/sites/", "/policies/"):
        body = client.get(url).content.decode()
        assert "---------" not in body, url
        assert '<option value="" selected>全部</option>' in body, url


def test_household_list_names_the_head_and_counts_the_members(world, client_for):
    client = client_for(world.users["town_staff"])
    body = client.get("/registry/").content.decode()
    assert "<th>户主</th><th>人数</th>" in body
    row = body.split('<a href="/registry/households/')[1].split("</tr>")[0]
    assert (
        '<span class="cell-label">户主</span>甲户主</td>'
        '<td><span class="cell-label">人数</span>2</td>' in row
    )
    # On a phone each row is a card (anju.css): the same cells, each with its label.
    assert '<tr class="ledger-card">' in body
    data = client.get("/api/households/").json()["results"]
    assert [(h["number"], h["head_name"], h["size"]) for h in data] == [("甲001", "甲户主", 2)]


def test_a_household_without_members_shows_zero(world, client_for):
    from anju.registry import services

    services.create_household(None, number="甲050", category="lifted", site=world.a.site)
    data = client_for(world.users["town_staff"]).get("/api/households/?search=甲050").json()
    assert [(h["head_name"], h["size"]) for h in data["results"]] == [(None, 0)]


def test_the_documented_search_parameter_works(world, client_for):
    client = client_for(world.users["whole_county"])
    for url, field, expected in [
        ("/api/households/?search=乙户主", "number", ["乙001"]),
        ("/api/households/?q=乙户主", "number", ["乙001"]),
        ("/api/persons/?search=甲之子", "name", ["甲之子"]),
        ("/api/sites/?search=乙", "name", ["乙安置点"]),
        ("/api/admin-units/?search=甲社区", "name", ["甲社区"]),
    ]:
        rows = client.get(url).json()["results"]
        assert [r[field] for r in rows] == expected, url
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    params = schema["paths"]["/api/households/"]["get"]["parameters"]
    assert "search" in {p["name"] for p in params}


def test_units_are_named_unit_everywhere(world, client_for):
    client = client_for(world.users["whole_county"])
    site = world.a.site
    new = client.get(f"/api/registry/summary/?unit={site.key}").json()
    old = client.get(f"/api/registry/summary/?node={site.key}").json()
    assert new == old and new["households"] == 1 and new["node"] == "甲安置点"
    assert client.get("/api/registry/summary/").status_code == 400
    quality = client.get(f"/api/registry/quality/?unit={world.b.site.key}").json()["results"]
    assert all("甲" not in row["place"] for row in quality)
    rows = client.get(f"/api/households/?unit={world.b.unit.key}").json()["results"]
    assert [r["number"] for r in rows] == ["乙001"]
    rows = client.get(f"/api/persons/?unit={world.a.site.key}").json()["results"]
    assert {r["name"] for r in rows} == {"甲户主", "甲之子"}
    for ref in (world.a.unit.key, str(world.a.unit.pk)):
        data = client.get(f"/api/policy-values/resolve/?unit={ref}&on=2024-01-01").json()
        assert data["unit"] == "甲镇", ref
        rows = client.get(f"/api/policy-values/?unit={ref}").json()["results"]
        assert [r["unit"] for r in rows] == [world.a.unit.pk], ref


def test_api_errors_and_csrf_failures_speak_chinese(world):
    anonymous = Client()
    detail = anonymous.get("/api/sites/").json()["detail"]
    assert not re.search("[A-Za-z]{4,}", detail), detail
    writer = Client()
    writer.force_login(world.users["site_staff"])
    errors = writer.post("/api/households/", {}, content_type="application/json").json()
    assert errors["number"] == ["该字段是必填项。"], errors
    assert "Method" not in writer.delete("/api/households/").json()["detail"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    page = client.post("/accounts/logout/")
    body = page.content.decode()
    message = body.split("<main")[1]
    assert page.status_code == 403 and "安全校验未通过" in message and "CSRF" not in message
    api = client.post("/api/sites/", {"name": "x"}, content_type="application/json")
    assert api.status_code == 403 and "安全校验未通过" in api.json()["detail"]
    assert "CSRF" not in api.json()["detail"]


def test_town_user_sees_the_county_values_in_force(world, client_for):
    from anju.policies import services

    services.set_value(
        None,
        key="registry.age_bands",
        unit=world.county,
        valid_from=date(2020, 1, 1),
        value="19, 36, 60",
        source="县扶贫办文件",
    )
    body = client_for(world.users["town_staff"]).get("/policies/").content.decode()
    inherited = body.split("上级设定、在本单位生效的参数")[1].split("</table>")[0]
    assert "清涧县" in inherited and "县扶贫办文件" in inherited and "上级设定" in inherited
    # The town's own value stays in its own table and is not repeated as inherited.
    assert "甲镇文件" not in inherited and "甲镇文件" in body
    # A county user sets it himself: nothing is inherited for him.
    body = client_for(world.users["whole_county"]).get("/policies/").content.decode()
    assert "上级设定、在本单位生效的参数" not in body


def test_second_pages_carry_their_own_heads_and_sizes(world, client_for):
    """户主/人数 are computed for the rows of the page after it is cut: page 2 must still pair
    each household with its own head, in the page's order."""
    from anju.registry import services
    from anju.registry.tests.sheets import make_id

    for i in range(52):
        household = services.create_household(
            None, number=f"甲2{i:02d}", category="lifted", site=world.a.site
        )
        services.add_person(
            None,
            household,
            name=f"户主{i:02d}",
            relation="户主",
            id_number=make_id("19700101", 200 + 2 * i),
        )
    client = client_for(world.users["town_staff"])
    body = client.get("/registry/?page=2").content.decode()
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(
        r">(甲\d+)</a></td><td[^>]*><span class=\"cell-label\">户主</span>([^<]*)</td>"
        r"<td><span class=\"cell-label\">人数</span>(\d+)</td>",
        table,
    )
    from anju.registry.models import Household

    expected = []
    for h in Household.objects.filter(path__startswith=world.a.unit.path).order_by(
        "path", "number"
    )[50:]:
        head = h.members.filter(relation="户主").first()
        expected.append((h.number, head.name, str(h.members.count())))
    assert len(expected) == 3 and rows == expected
    api = client.get("/api/households/?page=2").json()["results"]
    assert [(h["number"], h["head_name"], h["size"]) for h in api] == [
        (n, h, int(s)) for n, h, s in rows
    ]
