"""Demo data for the five seed jurisdictions, written through the services like any user's data.

Running it twice changes nothing: every step looks for what it would create first.
Sources: seed 000 (清涧县, ten sites in nine plans), 001 (王益区, two sites), 002 (运城市),
003 (石城县) and 004 (榕江县, seven sites).
"""

from __future__ import annotations

from anju.accounts import services as account_services
from anju.accounts.models import Role, User
from anju.orgs import services as org_services
from anju.orgs.divisions import load_divisions, town_code
from anju.orgs.models import AdminUnit, Building, Grid, Position, Site
from anju.policies.presets import load_presets

DEMO_PASSWORD = "Anju@2026demo"

TOWN, VILLAGE = AdminUnit.Level.TOWN, AdminUnit.Level.VILLAGE

# (county code, town, [(village or community, is_community)], [(site, runs: town or village)])
QINGJIAN_TOWNS = [
    (
        "秀延街道办",
        [("幸福嘉苑社区", True)],
        [("工业园区集中安置点", "幸福嘉苑社区"), ("和谐小区集中安置点", "幸福嘉苑社区")],
    ),
    (
        "折家坪镇",
        [("冯家沟村", False), ("麻池沟村", False), ("庵上村", False)],
        [
            ("冯家沟集中安置点", "冯家沟村"),
            ("麻池沟集中安置点", "麻池沟村"),
            ("庵上集中安置点", "庵上村"),
        ],
    ),
    (
        "宽州镇",
        [("牛家湾村", False), ("下七里湾村", False)],
        [("牛家湾集中安置点", "牛家湾村"), ("下七里湾集中安置点", "下七里湾村")],
    ),
    ("高杰村镇", [("高杰村村", False)], [("高杰村集中安置点", "高杰村村")]),
    ("石咀驿镇", [("康家湾村", False)], [("康家湾集中安置点", "康家湾村")]),
    ("李家塔镇", [], [("李家塔集中安置点", "李家塔镇")]),
]
# Buildings the plans count (000): 工业园区 9 high-rises, 冯家沟 6, 庵上 3, 牛家湾 3# of 4.
QINGJIAN_BUILDINGS = {
    "工业园区集中安置点": 9,
    "冯家沟集中安置点": 6,
    "庵上集中安置点": 3,
    "下七里湾集中安置点": 1,
}

WANGYI_TOWNS = [
    ("黄堡镇", [("南寺社区", True)], [("黄堡新镇区集中安置点", "南寺社区")]),
    ("王家河街道办", [("小街社区", True)], [("王家河幸福居集中安置点", "小街社区")]),
]

RONGJIANG_TOWNS = [
    (
        "古州镇",
        [("文体社区", True), ("场坝社区", True)],
        [
            ("富民安置点", "文体社区"),
            ("卧龙安置点", "文体社区"),
            ("阳光安置点", "文体社区"),
            ("特和安置点", "文体社区"),
            ("丰乐安置点", "场坝社区"),
            ("凤凰安置点", "古州镇"),
        ],
    ),
    ("定威乡", [], [("定威安置点（移民新区）", "定威乡")]),
]

SEED_COUNTIES = {"610830": QINGJIAN_TOWNS, "610202": WANGYI_TOWNS, "522632": RONGJIANG_TOWNS}

# (username, full name, department, role code, node name it serves)
DEMO_USERS = [
    ("leader", "张县长", "清涧县人民政府", "county_leader", "清涧县"),
    ("xczx", "李振兴", "清涧县乡村振兴局", "dept_rural", "清涧县"),
    ("rsj", "王就业", "清涧县人社局", "dept_hrss", "清涧县"),
    ("mzj", "赵民政", "清涧县民政局", "dept_civil", "清涧县"),
    ("jyj", "钱教育", "清涧县教育局", "dept_education", "清涧县"),
    ("wjj", "孙卫健", "清涧县卫健局", "dept_health", "清涧县"),
    ("zjj", "周住建", "清涧县住建局", "dept_housing", "清涧县"),
    ("zrj", "吴自然", "清涧县自然资源局", "dept_land", "清涧县"),
    ("town", "郑乡镇", "折家坪镇人民政府", "town_staff", "折家坪镇"),
    ("street", "杨街道", "秀延街道办事处", "town_staff", "秀延街道办"),
    ("site", "冯点员", "工业园区集中安置点", "site_staff", "工业园区集中安置点"),
    ("chief", "陈点长", "工业园区集中安置点", "site_chief", "工业园区集中安置点"),
    ("grid", "褚网格", "幸福嘉苑社区", "grid_worker", "第一网格"),
    ("building", "卫楼长", "工业园区 1号楼", "building_head", "1号楼"),
    ("auditor", "蒋审计", "清涧县审计局", "auditor", "清涧县"),
]


def _unit(parent, name, level, *, is_community=False, code=""):
    found = AdminUnit.objects.filter(parent=parent, name=name).first()
    return found or org_services.create_admin_unit(
        None, parent=parent, name=name, level=level, code=code, is_community=is_community
    )


def _site(unit, name):
    found = Site.objects.filter(admin_unit=unit, name=name).first()
    return found or org_services.create_site(None, admin_unit=unit, name=name)


def build_county(county: AdminUnit, towns) -> dict[str, Site]:
    sites = {}
    for town_name, villages, town_sites in towns:
        town = _unit(county, town_name, TOWN, code=town_code(county.code, town_name))
        places = {town_name: town}
        for village_name, is_community in villages:
            places[village_name] = _unit(town, village_name, VILLAGE, is_community=is_community)
        for site_name, runner in town_sites:
            sites[site_name] = _site(places[runner], site_name)
    return sites


def build_site_layout(site: Site, buildings: int) -> None:
    """Buildings numbered as the plans number them, grouped into grids of about three buildings."""
    if Building.objects.filter(site=site).exists():
        return
    grids = []
    for g in range((buildings + 2) // 3):
        grids.append(
            org_services.create_grid(None, site=site, name=f"第{'一二三四五六七八九'[g]}网格")
        )
    for b in range(1, buildings + 1):
        org_services.create_building(
            None,
            grid=grids[(b - 1) // 3],
            name=f"{b}号楼",
            floors=18 if buildings >= 9 else 6,
            unit_count=2,
        )


def create_users(nodes: dict) -> None:
    roles = {r.code: r for r in Role.objects.filter(unit=None)}
    if not User.objects.filter(username="admin").exists():
        account_services.create_user(
            None,
            username="admin",
            password=DEMO_PASSWORD,
            role=roles["admin"],
            nodes=[],
            full_name="系统管理员",
            department="清涧县乡村振兴局",
            is_superuser=True,
        )
    for username, full_name, department, role, node_name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        account_services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            role=roles[role],
            nodes=[nodes[node_name]],
            full_name=full_name,
            department=department,
        )


def create_positions(site: Site, grid: Grid, building: Building) -> None:
    if Position.objects.filter(site=site).exists():
        return
    chief = User.objects.filter(username="chief").first()
    org_services.create_position(None, title=Position.Title.SITE_CHIEF, site=site, user=chief)
    worker = User.objects.filter(username="grid").first()
    org_services.create_position(None, title=Position.Title.GRID_WORKER, grid=grid, user=worker)
    org_services.create_position(
        None,
        title=Position.Title.BUILDING_HEAD,
        building=building,
        holder_name="刘明",
        phone="13891234567",
    )


def run(stdout=None) -> None:
    say = stdout.write if stdout else (lambda _msg: None)
    created = load_divisions()
    say(f"行政区划：新增 {created} 个省、市、县单位")
    counties = {u.code: u for u in AdminUnit.objects.filter(code__in=SEED_COUNTIES)}
    sites: dict[str, Site] = {}
    for code, towns in SEED_COUNTIES.items():
        sites.update(build_county(counties[code], towns))
    for name, count in QINGJIAN_BUILDINGS.items():
        build_site_layout(sites[name], count)
    say(f"安置点：{Site.objects.count()} 个")
    park = sites["工业园区集中安置点"]
    grid = Grid.objects.get(site=park, name="第一网格")
    building = Building.objects.get(site=park, name="1号楼")
    nodes = {
        "清涧县": counties["610830"],
        "折家坪镇": AdminUnit.objects.get(name="折家坪镇"),
        "秀延街道办": AdminUnit.objects.get(parent=counties["610830"], name="秀延街道办"),
        "工业园区集中安置点": park,
        "第一网格": grid,
        "1号楼": building,
    }
    create_users(nodes)
    create_positions(park, grid, building)
    say(f"政策参数预置：新增 {load_presets()} 条")
    from anju.registry import demo as registry_demo

    registry_demo.build(stdout)
    from anju.monitoring import demo as monitoring_demo

    monitoring_demo.build(stdout)
    from anju.employment import demo as employment_demo

    employment_demo.build(stdout)
    say(f"演示账号密码均为 {DEMO_PASSWORD}")
