"""Accounts for the load test (bench/load.sh) on a generated registry (``anju generate``).

    ANJU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_load .venv/bin/python bench/load_accounts.py

Creates, for the largest generated county, the mix of people who browse the registry on a working
day: county leaders and bureau staff (the whole county), town staff (one town each) and site staff
(one site each), all with the demo password, and prints the ANJU_LOAD_ACCOUNTS value to pass to
bench/load.sh. Safe to run again: existing accounts are kept.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.base")
os.environ.setdefault("ANJU_SECRET_KEY", "bench")

PASSWORD = os.environ.get("ANJU_LOAD_PASSWORD", "Anju@2026demo")


def main() -> None:
    import django

    django.setup()
    from django.db.models import Sum

    from anju.accounts.models import Role, User
    from anju.accounts.services import create_user, ensure_builtin_roles
    from anju.orgs.models import AdminUnit as Unit
    from anju.orgs.models import Site
    from anju.registry.models import HouseholdRollup

    ensure_builtin_roles()
    county = max(
        Unit.objects.filter(level=Unit.Level.COUNTY),
        key=lambda unit: HouseholdRollup.objects.filter(node_path=unit.path).aggregate(
            n=Sum("persons")
        )["n"]
        or 0,
    )
    towns = list(Unit.objects.filter(level=Unit.Level.TOWN, path__startswith=county.path)[:6])
    sites = list(Site.objects.filter(path__startswith=county.path).order_by("?")[:10])
    plan = (
        [("load_leader", "county_leader", [county])] * 3
        + [("load_dept", "dept_rural", [county])] * 3
        + [("load_town", "town_staff", [town]) for town in towns]
        + [("load_site", "site_staff", [site]) for site in sites]
    )
    names = []
    for number, (prefix, role, nodes) in enumerate(plan):
        username = f"{prefix}_{number}"
        names.append(username)
        if not User.objects.filter(username=username).exists():
            create_user(
                None,
                username=username,
                password=PASSWORD,
                role=Role.objects.get(code=role),
                nodes=nodes,
                full_name=f"压测{number}",
            )
    print(f"县：{county.name}（{county.path}）")
    print("ANJU_LOAD_ACCOUNTS=" + ",".join(names))


if __name__ == "__main__":
    main()
