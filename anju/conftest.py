"""Shared fixtures: a small two-town county with one user per role, built through the services.

Town 甲 (A) and town 乙 (B) each have a community, a site, a grid, a building, a position and a
policy value. Every object of town B carries "乙" in its name, so a leak shows up as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from anju.accounts import services as account_services
from anju.accounts.models import Role, User
from anju.orgs import services as org_services
from anju.orgs.models import AdminUnit
from anju.policies import services as policy_services
from anju.registry import services as registry_services
from anju.registry.tests.sheets import make_id

PASSWORD = "Qingjian-2026!"


@dataclass
class Town:
    unit: AdminUnit
    community: AdminUnit
    site: object
    grid: object
    building: object
    position: object
    policy_value: object
    household: object
    nodes: dict = field(default_factory=dict)


@dataclass
class World:
    county: AdminUnit
    a: Town
    b: Town
    users: dict


def make_town(county, mark: str, index: int) -> Town:
    unit = org_services.create_admin_unit(
        None, parent=county, name=f"{mark}镇", level="town", code=f"61083010{index}"
    )
    community = org_services.create_admin_unit(
        None, parent=unit, name=f"{mark}社区", level="village", is_community=True
    )
    site = org_services.create_site(None, admin_unit=community, name=f"{mark}安置点")
    grid = org_services.create_grid(None, site=site, name=f"{mark}网格")
    building = org_services.create_building(None, grid=grid, name=f"{mark}楼", floors=6)
    position = org_services.create_position(
        None,
        title="building_head",
        building=building,
        holder_name=f"{mark}楼长",
        phone="13800000000",
    )
    household = registry_services.create_household(
        None,
        number=f"{mark}001",
        category="lifted",
        site=site,
        building=building,
        room_no="101",
        phone="13800000000",
    )
    registry_services.add_person(
        None,
        household,
        name=f"{mark}户主",
        id_number=make_id("19800101", 10 + index),
        relation="户主",
        education="初中",
        labour_skill="普通劳动力",
        phone="13900000000",
    )
    registry_services.add_person(
        None,
        household,
        name=f"{mark}之子",
        id_number=make_id("20120101", 20 + index),
        relation="之子",
        schooling="小学",
        labour_skill="无劳动力",
    )
    value = policy_services.set_value(
        None,
        key="orgs.grid_households_max",
        unit=unit,
        valid_from=date(2020, 1, 1),
        value=150 + index,
        source=f"{mark}镇文件",
    )
    return Town(
        unit,
        community,
        site,
        grid,
        building,
        position,
        value,
        household,
        nodes={"town": unit, "site": site, "grid": grid, "building": building},
    )


# Which node of town A each role's test user serves.
ROLE_NODES = {
    "admin": "town",
    "county_leader": "town",
    "dept_rural": "town",
    "dept_hrss": "town",
    "dept_civil": "town",
    "dept_education": "town",
    "dept_health": "town",
    "dept_housing": "town",
    "dept_land": "town",
    "town_staff": "town",
    "site_staff": "site",
    "site_chief": "site",
    "grid_worker": "grid",
    "building_head": "building",
    "auditor": "town",
}


@pytest.fixture
def world(db) -> World:
    province = org_services.create_admin_unit(
        None, parent=None, name="陕西省", level="province", code="610000"
    )
    city = org_services.create_admin_unit(
        None, parent=province, name="榆林市", level="city", code="610800"
    )
    county = org_services.create_admin_unit(
        None, parent=city, name="清涧县", level="county", code="610830"
    )
    a, b = make_town(county, "甲", 1), make_town(county, "乙", 2)
    roles = {r.code: r for r in Role.objects.filter(unit=None)}
    users = {}
    for role, node in ROLE_NODES.items():
        users[role] = account_services.create_user(
            None,
            username=f"a_{role}",
            password=PASSWORD,
            role=roles[role],
            nodes=[a.nodes[node]],
            full_name=f"甲{role}",
        )
    users["b_town_staff"] = account_services.create_user(
        None,
        username="b_town_staff",
        password=PASSWORD,
        role=roles["town_staff"],
        nodes=[b.unit],
        full_name="乙干部",
    )
    users["whole_county"] = account_services.create_user(
        None,
        username="leader",
        password=PASSWORD,
        role=roles["county_leader"],
        nodes=[county],
        full_name="县领导",
    )
    return World(county, a, b, users)


@pytest.fixture
def client_for(client):
    def login(user: User):
        client.force_login(user)
        return client

    return login
