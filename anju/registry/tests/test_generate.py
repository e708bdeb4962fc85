"""The national-scale generator: a small run checked as a county user would check a ledger."""

import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from stdnum.cn import ric

from anju.orgs.models import AdminUnit, Site
from anju.registry import generate as gen
from anju.registry import people, summary
from anju.registry.models import Household, Person

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator writes with PostgreSQL COPY"
)

MALE_RELATIONS = {"之子", "之女婿", "之孙子", "之外孙子", "之父", "之岳父", "之公公", "之祖父"}
FEMALE_RELATIONS = {"之女", "之儿媳", "之孙女", "之外孙女", "之母", "之岳母", "之婆婆", "之祖母"}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_small_generation(capsys):
    call_command("generate", persons=2000, counties=2, provinces=2, seed=7)
    out = capsys.readouterr().out
    assert "人/秒" in out
    persons = list(Person.objects.select_related("household"))
    households = list(Household.objects.select_related("site", "building", "destination"))
    assert len(persons) == 2000
    assert len({h.county_id for h in households}) == 2
    assert len({h.county.code[:2] for h in households}) == 2  # two provinces
    assert Site.objects.filter(path__startswith=households[0].county.path).exists()

    # Every identity number valid (region code in use in the birth year) and unique; birth date
    # and sex agree with it.
    numbers = [p.id_number for p in persons]
    assert len(set(numbers)) == len(numbers)
    for p in persons:
        assert ric.is_valid(p.id_number), p.id_number
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")
        assert p.sex == ("M" if int(p.id_number[16]) % 2 else "F")
        assert p.id_number[:6] == p.household.county.code

    # Paths follow the tree: a household sits under its site (building, grid) or its village.
    for h in households:
        if h.site_id:
            assert h.settlement == "centralized"
            assert h.path.startswith(h.site.path)
            if h.building_id:
                assert h.path == h.building.path
        else:
            assert h.settlement == "dispersed" and h.path == h.destination.path
        assert h.path.startswith(h.county.path)
    assert all(p.path == p.household.path for p in persons)
    towns = AdminUnit.objects.filter(name__endswith="（生成）")
    assert towns.exists() and all(t.parent.level == "county" for t in towns)

    # One head per household; relations agree with sex.
    heads = Counter(p.household_id for p in persons if p.relation == "户主")
    assert set(heads.values()) == {1} and len(heads) == len(households)
    head_of = {p.household_id: p for p in persons if p.relation == "户主"}
    for p in persons:
        if p.relation == "配偶":
            assert p.sex != head_of[p.household_id].sex
        if p.relation in MALE_RELATIONS:
            assert p.sex == "M", p.relation
        if p.relation in FEMALE_RELATIONS:
            assert p.sex == "F", p.relation
        if p.education in ("大专", "本科及以上"):
            assert p.birth_date.year >= 1965

    # Shares near the 清涧县 plans': typed from the site tables (附件1-1 … 1-9).
    # Ages: under 18 (418+21+26+33+57+43+33+30) and 60+ (542+20+43+16+23+17+80+51) of 4,377
    # persons with an age table; safety net 32 of 1,215 lifted households; labour 2,396 of 4,216.
    on = gen.timezone.localdate()
    ages = [p.age_on(on) for p in persons]
    n = len(persons)
    assert abs(sum(a < 18 for a in ages) / n - 661 / 4377) < 0.05
    assert abs(sum(a >= 60 for a in ages) / n - 792 / 4377) < 0.05
    labour = sum(
        p.labour_skill in ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力") for p in persons
    )
    assert abs(labour / n - 2396 / 4216) < 0.05
    safety = sum(h.safety_net != "" for h in households) / len(households)
    assert abs(safety - 32 / 1215) < 0.03
    assert 3.0 < n / len(households) < 4.0

    # The COPY went around the services: the roll-ups were rebuilt and agree with the persons,
    # for the whole platform and for each generated county.
    assert "重建统计汇总" in out
    for path in ["", *{h.county.path for h in households}]:
        stored = summary.for_roots([path], on=on)
        assert stored.as_dict() == summary.for_roots([path], on=on, raw=True).as_dict()
    assert summary.for_roots([""], on=on).persons == 2000

    # A second run refuses, in Chinese, unless told to append or reset.
    with pytest.raises(CommandError, match="已有生成的数据"):
        call_command("generate", persons=100, counties=1)
    call_command("generate", persons=500, counties=1, append=True)
    assert Person.objects.count() == 2500
    assert Household.objects.values("county").distinct().count() == 3
    call_command("generate", persons=300, counties=1, reset=True)
    assert Person.objects.count() == 300
    assert AdminUnit.objects.filter(name__endswith="（生成）").count() >= 2
    assert Household.objects.values("county").distinct().count() == 1
    assert summary.for_roots([""], on=on).persons == 300  # the reset rebuilt the roll-ups too


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for SQLite")
@pytest.mark.django_db
def test_refuses_on_sqlite():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("generate", persons=100, counties=1)


def test_relations_agree_with_sex_for_any_ages():
    rng = random.Random(3)
    for _ in range(2000):
        ages = [rng.randint(0, 95) for _ in range(rng.randint(1, 8))]
        members = people.relations_for(rng, ages)
        assert [m.relation for m in members].count("户主") == 1
        assert [m.relation for m in members].count("配偶") <= 1
        for age, m in zip(ages, members, strict=True):
            if m.relation == "配偶":
                assert m.sex != members[0].sex and age >= 20
            if m.relation in MALE_RELATIONS:
                assert m.sex == "M"
            if m.relation in FEMALE_RELATIONS:
                assert m.sex == "F"
            pool = people.MALE_GIVEN if m.sex == "M" else people.FEMALE_GIVEN
            assert m.name[1:] and set(m.name[1:]) <= set(pool), m.name


def test_fit_education_keeps_the_counts_and_the_cohorts():
    rng = random.Random(5)
    persons = [{"age": rng.randint(0, 90)} for _ in range(300)]
    values = ["文盲或半文盲"] * 40 + ["小学"] * 120 + ["初中"] * 90 + ["高中"] * 25 + ["大专"] * 25
    people.fit_education(rng, persons, values, 2020)
    assert Counter(p["education"] for p in persons) == Counter(values)
    for p in persons:
        assert people.plausible(p["education"], p["age"], 2020 - p["age"] - 1), p


def _schema(table):
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = sorted(row[0] for row in cur.fetchall())
        cur.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
            [table],
        )
        return indexes, sorted(row[0] for row in cur.fetchall())


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_bulk_mode_puts_indexes_and_keys_back(monkeypatch):
    before = {t: _schema(t) for t in ("registry_person", "registry_household")}
    monkeypatch.setattr(gen, "BULK_THRESHOLD", 0)
    result = gen.generate(600, 1, seed=3, say=lambda _msg: None)
    assert result.persons == Person.objects.count() == 600
    assert {t: _schema(t) for t in before} == before
    # The unique index is back: a second person with the same number is refused.
    person = Person.objects.first()
    with pytest.raises(Exception, match="id_number"):
        Person.objects.create(
            household=person.household,
            name="重复",
            id_number=person.id_number,
            birth_date=person.birth_date,
            sex=person.sex,
            relation="其他",
        )
