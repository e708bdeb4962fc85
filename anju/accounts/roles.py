"""The roles every county starts with. Counties adjust them afterwards as data."""

from .access import MODULES

DOMAIN_MODULES = [
    "registry",
    "monitoring",
    "employment",
    "safety_net",
    "community",
    "schooling",
    "health",
    "housing",
    "land",
    "industry",
    "cases",
    "worklist",
]


def _all(level: str, *, but: tuple[str, ...] = ()) -> dict[str, str]:
    return {m: level for m in MODULES if m not in but}


def _dept(*writes: str) -> dict[str, str]:
    modules = {"orgs": "read", "policies": "read", "dashboard": "read", "registry": "read"}
    modules.update({m: "write" for m in writes})
    return modules


BUILTIN_ROLES: list[dict] = [
    {
        "code": "admin",
        "name": "系统管理员",
        "reveal": True,
        "modules": _all("write"),
        "description": "管理账号、角色、组织架构与政策参数。",
    },
    {
        "code": "county_leader",
        "name": "县级领导",
        "reveal": False,
        "modules": _all("read", but=("accounts", "audit")),
        "description": "查看本县全部数据与驾驶舱。",
    },
    {
        "code": "dept_rural",
        "name": "乡村振兴局干部",
        "reveal": True,
        "modules": {**_all("write", but=("accounts", "audit")), "dashboard": "read"},
        "description": "牵头部门：后续扶持全部业务。",
    },
    {
        "code": "dept_hrss",
        "name": "人社局干部",
        "reveal": False,
        "modules": _dept("employment"),
        "description": "就业帮扶、培训与补贴。",
    },
    {
        "code": "dept_civil",
        "name": "民政局干部",
        "reveal": True,
        "modules": _dept("safety_net", "community"),
        "description": "兜底保障与社区治理。",
    },
    {
        "code": "dept_education",
        "name": "教育局干部",
        "reveal": False,
        "modules": _dept("schooling"),
        "description": "义务教育保障与入学。",
    },
    {
        "code": "dept_health",
        "name": "卫健/医保局干部",
        "reveal": False,
        "modules": _dept("health"),
        "description": "健康帮扶与医疗保障。",
    },
    {
        "code": "dept_housing",
        "name": "住建局干部",
        "reveal": False,
        "modules": _dept("housing"),
        "description": "住房安全与安全隐患排查。",
    },
    {
        "code": "dept_land",
        "name": "自然资源/农业农村局干部",
        "reveal": False,
        "modules": _dept("land", "industry"),
        "description": "三块地、增减挂钩与产业帮扶。",
    },
    {
        "code": "town_staff",
        "name": "乡镇（街道）干部",
        "reveal": True,
        "modules": {
            **_all("read", but=("accounts", "audit")),
            "orgs": "write",
            "registry": "write",
            "monitoring": "write",
            "employment": "write",
            "cases": "write",
            "worklist": "write",
        },
        "description": "本乡镇的安置点、搬迁户与日常工作。",
    },
    {
        "code": "site_staff",
        "name": "安置点工作人员",
        "reveal": True,
        "modules": {
            "orgs": "write",
            "policies": "read",
            "registry": "write",
            "monitoring": "write",
            "employment": "write",
            "community": "write",
            "cases": "write",
            "worklist": "read",
        },
        "description": "本安置点的网格、楼栋、搬迁户与回访。",
    },
    {
        "code": "site_chief",
        "name": "点长",
        "reveal": True,
        "modules": {
            "orgs": "write",
            "policies": "read",
            "dashboard": "read",
            "registry": "write",
            "monitoring": "write",
            "employment": "write",
            "community": "write",
            "cases": "write",
            "worklist": "write",
        },
        "description": "安置点负责人：每月不少于规定次数到点，统筹本点工作。",
    },
    {
        "code": "grid_worker",
        "name": "网格员",
        "reveal": False,
        "modules": {"orgs": "read", "registry": "read", "monitoring": "write", "cases": "write"},
        "description": "本网格的入户回访、诉求收集。",
    },
    {
        "code": "building_head",
        "name": "楼长",
        "reveal": False,
        "modules": {"orgs": "read", "registry": "read"},
        "description": "查看本楼栋住户。",
    },
    {
        "code": "auditor",
        "name": "审计员",
        "reveal": False,
        "modules": {**_all("read", but=("accounts",)), "audit": "read"},
        "description": "只读全部业务数据并查阅审计日志。",
    },
]
