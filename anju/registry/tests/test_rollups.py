"""The roll-ups agree with counting every person, after any mix of writes.

Hypothesis draws sequences of imports, edits, moves and deletes over the two-town county of the
shared fixture; after each sequence every node's summary read from the roll-ups must equal the
summary counted person by person (the original Python tally), on dates drawn next to the band
boundaries, and a rebuild must find the tables exactly as the writes left them.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.orgs import services as org_services
from anju.registry import rollups, services, summary
from anju.registry.models import AgeRollup, Household, HouseholdRollup, Person
from anju.registry.tests.sheets import make_id, person, write_csv

SCHEMES = [[19, 36, 60], [18, 61], [1, 7, 16, 65, 80]]
EDUCATION = ["", "文盲或半文盲", "小学", "初中", "高中", "中专", "大专", "本科及以上"]
SCHOOLING = ["", "非在校生", "小学", "初中", "高中"]
SKILL = ["", "普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"]

on_dates = st.one_of(
    st.dates(date(2020, 1, 1), date(2026, 12, 31)),
    st.sampled_from([date(2024, 2, 29), date(2025, 3, 1), date(2025, 12, 31), date(2026, 1, 1)]),
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("household"), st.integers(0, 5), st.booleans(), st.integers(0, 2)),
        st.tuples(
            st.just("person"),
            st.integers(0, 20),
            st.sampled_from([18, 19, 36, 60, 61, 7, 1, 80, 0]),
            st.integers(-40, 40),
            st.integers(0, 99),
        ),
        st.tuples(st.just("edit"), st.integers(0, 40), st.integers(0, 99)),
        st.tuples(st.just("move"), st.integers(0, 40), st.integers(0, 20)),
        st.tuples(st.just("rehouse"), st.integers(0, 20), st.integers(0, 5), st.integers(0, 2)),
        st.tuples(st.just("delete_person"), st.integers(0, 40)),
        st.tuples(st.just("delete_household"), st.integers(0, 20)),
        st.tuples(st.just("import"), st.integers(0, 40), st.integers(0, 99)),
        st.tuples(st.just("move_grid"), st.booleans()),
    ),
    min_size=1,
    max_size=14,
)


def _places(world):
    """Where a household can live, read afresh: a moved grid takes its building along."""
    a, b = world.a, world.b
    for node in (a.site, a.building, b.site, b.building, a.community, b.community):
        node.refresh_from_db()
    return [
        {"site": a.site},
        {"site": a.site, "building": a.building},
        {"site": b.site, "building": b.building},
        {"site": b.site},
        {"destination": a.community},
        {"destination": b.community},
    ]


def _nodes(world):
    """The platform, province, city, county, and every node of both towns down to buildings."""
    paths = rollups.rollup_nodes(world.county.path)
    for town in (world.a, world.b):
        for node in (town.unit, town.community, town.site, town.grid, town.building):
            node.refresh_from_db()
            paths.append(node.path)
    return paths


def _raw(path: str, on: date, schemes):
    households = Household.objects.filter(path__startswith=path)
    persons = Person.objects.filter(path__startswith=path)
    return summary.summarise(households, persons, on=on, schemes=schemes).as_dict()


def _stored_tables() -> dict:
    out = {}
    for table in rollups.TABLES:
        rows = table.model.objects.values_list("node_path", *table.dims, *table.values)
        # Rows brought back to zero by later writes may stay; they count for nothing.
        n = len(table.values)
        out[table.name] = sorted(r for r in rows if any(r[-n:]))
    return out


class Play:
    """Applies one drawn operation through the services, skipping what a service refuses."""

    def __init__(self, world, on: date, tmp_path):
        self.world, self.on, self.tmp = world, on, tmp_path
        self.seq = itertools.count(100)
        self.imports = 0

    def households(self):
        return list(Household.objects.order_by("pk"))

    def persons(self):
        return list(Person.objects.select_related("household").order_by("pk"))

    def pick(self, items, index):
        return items[index % len(items)] if items else None

    def birth(self, bound: int, offset: int) -> date:
        year = self.on.year - bound
        day = min(self.on.day, 28) if self.on.month == 2 else self.on.day
        return date(year, self.on.month, day) + timedelta(days=offset)

    def attributes(self, salt: int) -> dict:
        return {
            "education": EDUCATION[salt % len(EDUCATION)],
            "schooling": SCHOOLING[(salt // 3) % len(SCHOOLING)],
            "labour_skill": SKILL[(salt // 7) % len(SKILL)],
        }

    def run(self, op):
        kind, *args = op
        try:
            with transaction.atomic():
                getattr(self, kind)(*args)
        except ValidationError:
            pass  # refused as a user would be: nothing written, the roll-ups must agree still

    def household(self, place, lifted, safety):
        services.create_household(
            None,
            number=f"H{next(self.seq)}",
            category="lifted" if lifted else "co_relocated",
            safety_net=["", "dibao", "tekun"][safety],
            **_places(self.world)[place],
        )

    def person(self, household, bound, offset, salt):
        target = self.pick(self.households(), household)
        if target is None:
            return
        birth = self.birth(bound, offset)
        services.add_person(
            None,
            target,
            name="成员",
            id_number=make_id(birth.strftime("%Y%m%d"), next(self.seq)),
            relation="之子",
            **self.attributes(salt),
        )

    def edit(self, index, salt):
        target = self.pick(self.persons(), index)
        if target is not None:
            services.update_person(None, target, **self.attributes(salt))

    def move(self, index, household):
        target = self.pick(self.persons(), index)
        to = self.pick(self.households(), household)
        if target is not None and to is not None and to.pk != target.household_id:
            services.move_person(None, target, to, relation="之女")

    def rehouse(self, household, place, safety):
        target = self.pick(self.households(), household)
        if target is None:
            return
        changes = {
            "site": None,
            "building": None,
            "destination": None,
            **_places(self.world)[place],
        }
        changes["safety_net"] = ["", "dibao", "tekun"][safety]
        changes["category"] = "co_relocated" if target.category == "lifted" else "lifted"
        services.update_household(None, target, **changes)

    def delete_person(self, index):
        target = self.pick(self.persons(), index)
        if target is not None and target.relation != "户主":
            services.delete_person(None, target, reason="重复录入")

    def delete_household(self, index):
        target = self.pick(self.households(), index)
        if target is not None and not target.members.exists():
            services.delete_household(None, target, reason="误建")

    def import_(self, index, salt):
        """A sheet with a new household whose head is new, taking in an existing member."""
        self.imports += 1
        number = f"IMP{next(self.seq)}"
        head = self.birth(36, salt - 50)
        rows = [
            person(
                number,
                "新户主",
                make_id(head.strftime("%Y%m%d"), next(self.seq)),
                site="乙安置点" if salt % 2 else "甲安置点",
                楼栋="乙楼" if salt % 2 else "甲楼",
                兜底保障="低保" if salt % 3 == 0 else "",
            )
        ]
        members = [p for p in self.persons() if p.relation != "户主"]
        mover = self.pick(members, index)
        if mover is not None:
            rows.append(
                person(
                    number,
                    mover.name,
                    mover.id_number,
                    "之女",
                    site=rows[0]["安置点"],
                    楼栋=rows[0]["楼栋"],
                    兜底保障=rows[0]["兜底保障"],
                    文化程度=mover.education or "",
                    在校生状况=mover.schooling or "",
                    劳动技能=mover.labour_skill or "",
                )
            )
        path = write_csv(self.tmp / f"import-{self.imports}.csv", rows)
        outcome = services.import_registry(None, path)
        assert not outcome.errors, outcome.errors

    def move_grid(self, to_b):
        """The grid of town 甲 with its building and households moves to another site."""
        grid = self.world.a.grid
        grid.refresh_from_db()
        site = self.world.b.site if to_b else self.world.a.site
        if grid.site_id != site.pk:
            org_services.update_node(None, grid, site=site)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=ops, on=on_dates)
def test_rollups_agree_with_counting_every_person(world, tmp_path_factory, sequence, on):
    with transaction.atomic():
        play = Play(world, on, tmp_path_factory.mktemp("sheets"))
        for op in sequence:
            kind = "import_" if op[0] == "import" else op[0]
            play.run((kind, *op[1:]))
        for path in _nodes(world):
            for category in ("", "lifted"):
                stored = summary.for_roots([path], on=on, schemes=SCHEMES, category=category)
                if category:
                    expected = summary.summarise(
                        Household.objects.filter(path__startswith=path, category=category),
                        Person.objects.filter(path__startswith=path, household__category=category),
                        on=on,
                        schemes=SCHEMES,
                    ).as_dict()
                else:
                    expected = _raw(path, on, SCHEMES)
                assert stored.as_dict() == expected, (path, category, sequence)
        kept = _stored_tables()
        rollups.rebuild()
        assert _stored_tables() == kept
        transaction.set_rollback(True)


def test_rebuild_of_one_unit_repairs_its_subtree_and_the_nodes_above(world):
    """A drifted town (its rows wiped by hand) is repaired by ``--unit`` alone, and the county,
    city, province and platform totals are corrected by the same difference."""
    county_before = summary.for_roots([world.county.path], on=date(2026, 1, 1)).as_dict()
    HouseholdRollup.objects.filter(node_path__startswith=world.a.unit.path).delete()
    AgeRollup.objects.filter(node_path__startswith=world.a.unit.path).delete()
    HouseholdRollup.objects.filter(node_path=world.county.path).update(households=0, persons=0)
    call_command("rebuild", "aggregates", "--unit", world.a.unit.code)
    # The county rows were zeroed by hand outside 甲镇, so only 甲镇's share comes back there…
    town = summary.for_roots([world.a.unit.path], on=date(2026, 1, 1)).as_dict()
    assert town == _raw(world.a.unit.path, date(2026, 1, 1), summary.DEFAULT_BANDS)
    # …and a full rebuild puts the county back exactly.
    call_command("rebuild", "aggregates")
    assert summary.for_roots([world.county.path], on=date(2026, 1, 1)).as_dict() == county_before


def test_fixture_figures_through_the_rollups(world):
    """The fixture's two towns each hold one household of two: a head born 1980-01-01 with
    labour and a pupil born 2012-01-01."""
    s = summary.for_roots([world.county.path], on=date(2026, 1, 1), schemes=[[18, 60]])
    assert (s.households, s.persons, s.labour_persons, s.labour_households) == (2, 4, 2, 2)
    assert s.age_schemes[0]["counts"] == [2, 2, 0]
    # The day before the pupils' 14th birthday and the head's 46th: bands by the day.
    s = summary.for_roots([world.county.path], on=date(2025, 12, 31), schemes=[[14, 46]])
    assert s.age_schemes[0]["counts"] == [2, 2, 0]
    s = summary.for_roots([world.county.path], on=date(2026, 1, 1), schemes=[[14, 46]])
    assert s.age_schemes[0]["counts"] == [0, 2, 2]


def test_rebuild_command_refuses_unknown_units_in_chinese(world, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到单位「999999」"):
        call_command("rebuild", "aggregates", "--unit", "999999")
    with pytest.raises(CommandError, match="网格或楼栋"):
        call_command("rebuild", "aggregates", "--unit", world.a.grid.key)


def test_whole_platform_summary_for_administrators_only(world, client_for):
    admin = world.users["admin"]
    admin.is_superuser = True
    admin.save()
    page = client_for(admin).get("/registry/summary/all/")
    assert page.status_code == 200
    assert "全部地区" in page.content.decode()
    assert page.context["summary"].persons == 4
    leader = world.users["whole_county"]
    assert client_for(leader).get("/registry/summary/all/").status_code == 404
