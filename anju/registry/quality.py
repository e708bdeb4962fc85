"""Data quality checks over the registry: what a county fixes before it reports upward.

The checks run in the background (``tasks.run_quality``) after every import, nightly and on
demand, over one unit's subtree, and store what they find in ``QualityFinding``. Each check is a
handful of set-based statements (``INSERT … SELECT`` over the unit's persons, grouped queries
per site), never a query per row. A run replaces the previous findings of its subtree in one
transaction, so a reader sees the old findings or the new ones, never half of a run; a run that
fails leaves the old findings in place and is marked failed.

Pages, the export and the API only read the stored findings, scoped through ``visible_to``.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone

from anju.core.scope import home_path, scope_paths
from anju.orgs.models import Site

from . import choices
from .models import Household, Person, QualityFinding, QualityRun, SiteProfile
from .summary import EDUCATION_FIVE, EDUCATION_THREE, band_labels, education_bands

logger = logging.getLogger(__name__)

COMPULSORY_AGES = (6, 15)  # 义务教育: children of these ages should be in school
WORKING_AGES = (16, 59)
# A run still queued or running after this long was lost with its worker: it is marked failed
# so the next request may start a new one.
STALE_AFTER = timedelta(hours=2)

CHECKS = {
    "declared": "申报数与台账统计不符",
    "conflict": "申报资料内部不一致",
    "head": "户主缺失或重复",
    "id": "身份证号无效",
    "duplicate": "同一人登记在两户",
    "schooling": "适龄儿童标为非在校生",
    "skill": "劳动年龄人口未填劳动技能",
}
RANK = {code: index for index, code in enumerate(CHECKS)}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


# Dates and ages ---------------------------------------------------------------------------------


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February falls back to the 28th (as ``age_on`` counts)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born_between(ages: tuple[int, int], on: date) -> tuple[date, date]:
    """(earliest exclusive, latest inclusive) birth dates of persons aged ages[0]..ages[1] on ``on``:
    age ≥ a ⇔ birth ≤ on − a years; age ≤ b ⇔ birth > on − (b + 1) years."""
    return years_before(on, ages[1] + 1), years_before(on, ages[0])


def _age_sql(column: str, on: date) -> str:
    """Completed years on ``on`` of a date column: (YYYYMMDD of ``on`` − YYYYMMDD of the date)
    integer-divided by 10000, as ``Person.age_on`` counts (29 February included). Integer
    arithmetic: several times cheaper than formatting the date as text for every row."""
    if connection.vendor == "postgresql":
        number = (
            f"(EXTRACT(YEAR FROM {column})::int * 10000 + EXTRACT(MONTH FROM {column})::int * 100"
            f" + EXTRACT(DAY FROM {column})::int)"
        )
    else:
        number = f"CAST(strftime('%%Y%%m%%d', {column}) AS INTEGER)"
    return f"(({on:%Y%m%d} - {number}) / 10000)"


def _json(param: str = "%s") -> str:
    return f"CAST({param} AS jsonb)" if connection.vendor == "postgresql" else param


def _id_value_sql(column: str) -> str:
    """The first 17 characters of an identity number as an integer, NULL unless the number has
    18 characters of which the first 17 are digits. Computed once per row (in a subquery), so the
    check digit and the date below are integer arithmetic, not 17 string slices each."""
    if connection.vendor == "postgresql":
        digits = f"translate(left({column}, 17), '0123456789', '') = ''"
        cast = f"CAST(left({column}, 17) AS BIGINT)"
    else:
        digits = f"NOT substr({column}, 1, 17) GLOB '*[^0-9]*'"
        cast = f"CAST(substr({column}, 1, 17) AS INTEGER)"
    return f"CASE WHEN length({column}) = 18 AND {digits} THEN {cast} END"


def _id_valid_sql(value: str, column: str) -> str:
    """Check digit (GB 11643: digit i, from 0, weighs 2^(17-i) mod 11) and a real birth date, given the integer
    ``value`` of ``_id_value_sql`` and the number ``column`` (for its last character)."""

    def digit(i: int) -> str:  # the i-th of the 17 digits, from the left
        return f"(({value} / {10 ** (16 - i)}) %% 10)"

    total = " + ".join(f"{digit(i)} * {w}" for i, w in enumerate(ID_WEIGHTS))
    y = f"(({value} / 10000000) %% 10000)"
    m = f"(({value} / 100000) %% 100)"
    d = f"(({value} / 1000) %% 100)"
    days = (
        f"CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN "
        f"(CASE WHEN ({y} %% 4 = 0 AND {y} %% 100 <> 0) OR {y} %% 400 = 0 THEN 29 ELSE 28 END) "
        f"ELSE 31 END"
    )
    return (
        f"(CASE WHEN {value} IS NULL THEN FALSE ELSE ("
        f"substr('10X98765432', CAST(({total}) %% 11 + 1 AS INTEGER), 1) "
        f"= UPPER(substr({column}, 18, 1)) "
        f"AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {days}) END)"
    )


def _with_id_value(person_table: str) -> str:
    """The persons with ``v`` = ``_id_value_sql``; OFFSET 0 keeps PostgreSQL from inlining the
    subquery (which would compute ``v`` again for every use)."""
    offset = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    return (
        f"(SELECT p.id, p.name, p.household_id, p.path, p.id_number, "
        f"{_id_value_sql('p.id_number')} AS v FROM {person_table} p WHERE p.path LIKE %s {offset})"
    )


# Counted figures per site (declared vs counted) ---------------------------------------------


TOTALS = ("total", "lifted", "safety", "dibao", "tekun")


@dataclass
class SiteCounts:
    """What the registry counts for one site: the figures a plan's declared ones are held to.
    ``lifted_*`` figures are over 搬迁脱贫户 (the plans report those)."""

    households: dict = field(default_factory=lambda: dict.fromkeys(TOTALS, 0))
    lifted_households: dict = field(default_factory=lambda: dict.fromkeys(TOTALS, 0))
    persons: int = 0
    lifted_persons: int = 0
    lifted_ages: Counter = field(default_factory=Counter)  # completed years on ``on`` → persons
    lifted_education_all: Counter = field(default_factory=Counter)
    # Education of persons with labour capacity who are not in school.
    lifted_education_labour: Counter = field(default_factory=Counter)
    lifted_labour_persons: int = 0
    lifted_labour_households: int = 0
    lifted_safety_persons: int = 0

    def age_bands(self, bounds: list[int]) -> list[int]:
        counts = [0] * (len(bounds) + 1)
        for age, n in self.lifted_ages.items():
            counts[sum(age >= b for b in bounds)] += n
        return counts


def counted_by_site(site_paths: list[str], on: date) -> dict[str, SiteCounts]:
    """Counted figures for the given sites (by path), in four grouped queries whatever the number
    of sites: households, persons, lifted persons by age, lifted persons by education.

    The aggregate tables (``rollups.py``) will answer the same figures; keep this the one place
    that computes them."""
    out = {path: SiteCounts() for path in site_paths}
    if not site_paths:
        return out
    ids = dict(Site.objects.filter(path__in=site_paths).values_list("pk", "path"))
    if not ids:
        return out
    hh, person = Household._meta.db_table, Person._meta.db_table
    lifted = choices.Category.LIFTED
    labour = tuple(sorted(choices.WITH_LABOUR))
    labour_marks = ", ".join(["%s"] * len(labour))
    if connection.vendor == "postgresql":  # one array parameter, however many sites
        site_filter, site_ids = "h.site_id = ANY(%s)", [list(ids)]
    else:
        site_filter, site_ids = f"h.site_id IN ({', '.join(['%s'] * len(ids))})", list(ids)
    # Every row of a site lies under the site's path: the sites' common ancestor bounds the scan
    # to its subtree (the path index), so one site's figures never read the whole table.
    common = os.path.commonprefix(list(ids.values()))
    common = common[: common.rfind("/") + 1]
    site_filter = f"h.path LIKE %s AND {site_filter}"
    site_ids = [common + "%", *site_ids]
    person_filter = f"p.path LIKE %s AND {site_filter}"
    person_ids = [common + "%", *site_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT h.site_id, h.category = %s, COUNT(*),
                       SUM(CASE WHEN h.safety_net <> '' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN h.safety_net = %s THEN 1 ELSE 0 END),
                       SUM(CASE WHEN h.safety_net = %s THEN 1 ELSE 0 END)
                FROM {hh} h WHERE {site_filter} GROUP BY 1, 2""",
            [lifted, choices.SafetyNet.DIBAO, choices.SafetyNet.TEKUN, *site_ids],
        )
        for site_id, is_lifted, total, safety, dibao, tekun in cursor.fetchall():
            for target in [out[ids[site_id]].households] + (
                [out[ids[site_id]].lifted_households] if is_lifted else []
            ):
                target["total"] += total
                target["lifted"] += total if is_lifted else 0
                target["safety"] += safety
                target["dibao"] += dibao
                target["tekun"] += tekun
        is_labour = f"p.labour_skill IN ({labour_marks})"
        cursor.execute(
            f"""SELECT h.site_id, h.category = %s, COUNT(*),
                       SUM(CASE WHEN h.safety_net <> '' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN {is_labour} THEN 1 ELSE 0 END),
                       COUNT(DISTINCT CASE WHEN {is_labour} THEN p.household_id END)
                FROM {person} p JOIN {hh} h ON h.id = p.household_id
                WHERE {person_filter} GROUP BY 1, 2""",
            [lifted, *labour, *labour, *person_ids],
        )
        for site_id, is_lifted, n, safety, labour_n, labour_hh in cursor.fetchall():
            counts = out[ids[site_id]]
            counts.persons += n
            if is_lifted:
                counts.lifted_persons += n
                counts.lifted_safety_persons += safety
                counts.lifted_labour_persons += labour_n
                counts.lifted_labour_households += labour_hh
        cursor.execute(
            f"""SELECT h.site_id, {_age_sql("p.birth_date", on)}, COUNT(*)
                FROM {person} p JOIN {hh} h ON h.id = p.household_id
                WHERE h.category = %s AND {person_filter} GROUP BY 1, 2""",
            [lifted, *person_ids],
        )
        for site_id, age, n in cursor.fetchall():
            out[ids[site_id]].lifted_ages[age] += n
        cursor.execute(
            f"""SELECT h.site_id, p.education,
                       CASE WHEN {is_labour} AND p.schooling IN ('', %s) THEN 1 ELSE 0 END,
                       COUNT(*)
                FROM {person} p JOIN {hh} h ON h.id = p.household_id
                WHERE h.category = %s AND {person_filter} GROUP BY 1, 2, 3""",
            [*labour, choices.NOT_IN_SCHOOL, lifted, *person_ids],
        )
        for site_id, education, in_labour, n in cursor.fetchall():
            counts = out[ids[site_id]]
            counts.lifted_education_all[education] += n
            if in_labour:
                counts.lifted_education_labour[education] += n
    return out


def _band_text(labels, counts) -> str:
    return "、".join(f"{label} {count}" for label, count in zip(labels, counts, strict=False))


def declared_gaps(profile: SiteProfile, counted: SiteCounts) -> list[tuple[str, str]]:
    """(subject, message) for every declared figure the registry does not count the same."""
    gaps: list[tuple[str, str]] = []

    def gap(label, declared, value):
        if declared is not None and declared != value:
            gaps.append((label, f"申报 {declared}，台账统计 {value}（差 {value - declared:+d}）"))

    total, lifted_total = counted.households["total"], counted.households["lifted"]
    gap("户数", profile.declared_households, total)
    gap("人数", profile.declared_persons, counted.persons)
    gap("搬迁脱贫户数", profile.declared_lifted_households, lifted_total)
    gap("搬迁脱贫人数", profile.declared_lifted_persons, counted.lifted_persons)
    gap("同步搬迁户数", profile.declared_co_households, total - lifted_total)
    gap("同步搬迁人数", profile.declared_co_persons, counted.persons - counted.lifted_persons)

    declared = profile.declared_breakdowns or {}
    if "age" in declared:
        age = declared["age"]
        found = counted.age_bands(age["bounds"])
        if found != age["counts"]:
            labels = age.get("labels") or band_labels(age["bounds"])
            gaps.append(
                (
                    "年龄分段",
                    f"申报 {sum(age['counts'])} 人（{_band_text(labels, age['counts'])}），"
                    f"台账统计 {sum(found)} 人（{_band_text(labels, found)}）",
                )
            )
    if "education" in declared:
        edu = declared["education"]
        labour = edu["population"] == "labour"
        pool = counted.lifted_education_labour if labour else counted.lifted_education_all
        scheme = EDUCATION_FIVE if len(edu["counts"]) == 5 else EDUCATION_THREE
        found = list(education_bands(pool, scheme).values())
        if found != edu["counts"]:
            who = "有劳动能力的非在校人口" if labour else "全部人口"
            gaps.append(
                (
                    f"文化程度（{who}）",
                    f"申报 {sum(edu['counts'])} 人（{_band_text(edu['labels'], edu['counts'])}），"
                    f"台账统计 {sum(found)} 人（{_band_text(edu['labels'], found)}）",
                )
            )
    for key, label, value in (
        ("labour_persons", "有劳动能力人数", counted.lifted_labour_persons),
        ("labour_households", "有劳动力户数", counted.lifted_labour_households),
        ("safety_net_households", "兜底保障户数", counted.lifted_households["safety"]),
        ("safety_net_persons", "兜底保障人数", counted.lifted_safety_persons),
    ):
        gap(label, declared.get(key), value)
    return gaps


# The checks: each writes its findings for one run ------------------------------------------


@dataclass
class Context:
    run: QualityRun
    prefix: str  # the unit's path; "" = everything
    today: date

    @property
    def like(self) -> str:
        return self.prefix + "%"


FINDING_COLUMNS = (
    "run_id, code, rank, site_id, household_id, person_id, path, place, subject, message, details"
)


def _finding(ctx: Context, code: str, **values) -> QualityFinding:
    return QualityFinding(run=ctx.run, code=code, rank=RANK[code], **values)


def check_declared(ctx: Context) -> None:
    """Declared vs counted, and the contradictions inside the plans, for every profiled site."""
    profiles = list(
        SiteProfile.objects.filter(site__path__startswith=ctx.prefix)
        .select_related("site")
        .order_by("site__path")
    )
    by_day: dict[date, list[SiteProfile]] = defaultdict(list)
    for profile in profiles:
        by_day[profile.declared_on or ctx.today].append(profile)
    findings = []
    for on, dated in by_day.items():
        counted = counted_by_site([p.site.path for p in dated], on)
        for profile in dated:
            site = profile.site
            common = {"site_id": site.pk, "path": site.path, "place": site.name}
            for subject, message in declared_gaps(profile, counted[site.path]):
                findings.append(
                    _finding(ctx, "declared", subject=subject, message=message, **common)
                )
            for text in profile.declared_conflicts or []:
                findings.append(
                    _finding(ctx, "conflict", subject="申报资料", message=text, **common)
                )
    QualityFinding.objects.bulk_create(findings, batch_size=1000)


def _person_insert(
    ctx: Context,
    code: str,
    message: tuple[str, list],
    where: tuple[str, list],
    *,
    with_id_value: bool = False,
) -> None:
    """Insert one finding per person of the unit matching ``where``, in one statement."""
    person, hh, site = Person._meta.db_table, Household._meta.db_table, Site._meta.db_table
    source_params = []
    if with_id_value:
        person, source_params = _with_id_value(person), [ctx.like]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {QualityFinding._meta.db_table} ({FINDING_COLUMNS})
                SELECT %s, %s, %s, h.site_id, p.household_id, p.id, p.path, COALESCE(s.name, ''),
                       p.name || %s || h.number || %s, {message[0]}, {_json()}
                FROM {person} p JOIN {hh} h ON h.id = p.household_id
                LEFT JOIN {site} s ON s.id = h.site_id
                WHERE p.path LIKE %s AND {where[0]}""",
            [
                ctx.run.pk,
                code,
                RANK[code],
                "（户 ",
                "）",
                *message[1],
                "{}",
                *source_params,
                ctx.like,
                *where[1],
            ],
        )


def check_heads(ctx: Context) -> None:
    """Households with no 户主 or more than one: one grouped count of heads per household."""
    hh, person, site = Household._meta.db_table, Person._meta.db_table, Site._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {QualityFinding._meta.db_table} ({FINDING_COLUMNS})
                SELECT %s, %s, %s, h.site_id, h.id, NULL, h.path, COALESCE(s.name, ''),
                       %s || h.number,
                       CASE WHEN COALESCE(c.n, 0) = 0 THEN %s
                            ELSE %s || CAST(c.n AS TEXT) || %s END,
                       {_json()}
                FROM {hh} h
                LEFT JOIN (SELECT household_id, COUNT(*) AS n FROM {person}
                           WHERE relation = %s AND path LIKE %s GROUP BY household_id) c
                       ON c.household_id = h.id
                LEFT JOIN {site} s ON s.id = h.site_id
                WHERE h.path LIKE %s AND COALESCE(c.n, 0) <> 1""",
            [
                ctx.run.pk,
                "head",
                RANK["head"],
                "户 ",
                "没有户主",
                "有 ",
                " 个户主",
                "{}",
                choices.HEAD,
                ctx.like,
                ctx.like,
            ],
        )


def check_ids(ctx: Context) -> None:
    """Identity numbers failing length, digits, check digit or birth date; then numbers whose
    region code was not in use in the birth year (genuine after late registration, so worded
    as 请核实), judged once per distinct (region, year) pair, not per person."""
    _person_insert(
        ctx,
        "id",
        ("%s", ["身份证号校验不通过"]),
        (f"NOT {_id_valid_sql('p.v', 'p.id_number')}", []),
        with_id_value=True,
    )
    person = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT substr(p.id_number, 1, 10) FROM {person} p WHERE p.path LIKE %s
                GROUP BY substr(p.id_number, 1, 10)""",
            [ctx.like],
        )
        pairs = [row[0] for row in cursor.fetchall()]
    unknown = [
        pair
        for pair in pairs
        if len(pair) == 10 and pair.isdigit() and not region_in_use(pair[:6], int(pair[6:10]))
    ]
    for start in range(0, len(unknown), 500):
        chunk = unknown[start : start + 500]
        _person_insert(
            ctx,
            "id",
            ("%s", ["行政区划代码在出生年份尚未启用（可能是补登或换发的号码，请核实）"]),
            (
                f"substr(p.id_number, 1, 10) IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND {_id_valid_sql('p.v', 'p.id_number')}",
                chunk,
            ),
            with_id_value=True,
        )


_REGIONS: dict[str, list[tuple[int | None, int | None]] | None] = {}


def region_in_use(code: str, year: int) -> bool:
    """Whether a 6-digit region code was assigned in ``year`` (python-stdnum's table), the same
    rule ``stdnum.cn.ric.validate`` applies; looked up once per code."""
    if code not in _REGIONS:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(code)
        info = {k: v for _part, props in results for k, v in props.items()}
        spans: list[tuple[int | None, int | None]] | None = None
        if info:
            spans = []
            for county in info["county"].split(","):
                if not county.startswith("["):
                    spans.append((None, None))
                    continue
                start, end = county[1:].split("]")[0].split("-")
                spans.append((int(start) if start else None, int(end) if end else None))
        _REGIONS[code] = spans
    spans = _REGIONS[code]
    if not spans:
        return False
    return any((a is None or year >= a) and (b is None or year <= b) for a, b in spans)


# An index probe costs about ten times a row of a hash join (measured: bench/quality_checks.py),
# so units under a tenth of the persons probe, larger ones hash.
PROBE_SHARE = 10


def _small_share(ctx: Context) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = CAST(%s AS regclass)",
            [Person._meta.db_table],
        )
        row = cursor.fetchone()
        total = row[0] if row else -1
        if total <= 0:  # never analysed: a small table, either way is quick
            return True
        cursor.execute(
            f"SELECT COUNT(*) FROM {Person._meta.db_table} WHERE path LIKE %s", [ctx.like]
        )
        return cursor.fetchone()[0] * PROBE_SHARE < total


def check_duplicates(ctx: Context) -> None:
    """The same name and birth date in another household, anywhere on the platform.

    For a unit holding a small share of the persons, each of its persons probes the (name,
    birth_date, household) index once (a LATERAL … LIMIT 1 keeps PostgreSQL from turning it into
    a hash join over the whole table): linear in the unit's persons, logarithmic in the table.
    For a large share (or everything), the same EXISTS becomes one hash semi-join, linear in the
    table, which then is at most PROBE_SHARE times the unit. Only the few persons found are read
    back to name the other households."""
    person, hh, site = Person._meta.db_table, Household._meta.db_table, Site._meta.db_table
    probe = (
        f"SELECT 1 FROM {person} q WHERE q.name = p.name AND q.birth_date = p.birth_date"
        f" AND q.household_id <> p.household_id"
    )
    if ctx.prefix and connection.vendor == "postgresql" and _small_share(ctx):
        join, where = f"CROSS JOIN LATERAL ({probe} LIMIT 1) d", ""
    else:
        join, where = "", f"AND EXISTS ({probe})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.id, p.name, p.birth_date, p.household_id, p.path, h.number, h.site_id,
                       COALESCE(s.name, '')
                FROM {person} p {join} JOIN {hh} h ON h.id = p.household_id
                LEFT JOIN {site} s ON s.id = h.site_id
                WHERE p.path LIKE %s {where}""",
            [ctx.like],
        )
        found = cursor.fetchall()
    if not found:
        return
    households: dict[tuple, dict[int, dict]] = defaultdict(dict)
    names = sorted({row[1] for row in found})
    for start in range(0, len(names), 1000):
        rows = Person.objects.filter(name__in=names[start : start + 1000]).values_list(
            "name", "birth_date", "household_id", "household__number", "household__path"
        )
        for name, birth, hid, number, path in rows:
            households[(name, birth)][hid] = {"id": hid, "number": number, "path": path}
    findings = []
    for pid, name, birth, hid, path, number, site_id, place in found:
        if isinstance(birth, str):
            birth = date.fromisoformat(birth)
        others = [h for key, h in sorted(households[(name, birth)].items()) if key != hid]
        findings.append(
            _finding(
                ctx,
                "duplicate",
                site_id=site_id,
                household_id=hid,
                person_id=pid,
                path=path,
                place=place,
                subject=f"{name}（户 {number}）",
                message=f"与其他 {len(others)} 户的成员姓名、出生日期相同",
                details={"others": others},
            )
        )
    QualityFinding.objects.bulk_create(findings, batch_size=1000)


def check_schooling(ctx: Context) -> None:
    after, until = born_between(COMPULSORY_AGES, ctx.today)
    _person_insert(
        ctx,
        "schooling",
        (f"CAST({_age_sql('p.birth_date', ctx.today)} AS TEXT) || %s", [" 岁，标为非在校生"]),
        (
            "p.schooling = %s AND p.birth_date > %s AND p.birth_date <= %s",
            [choices.NOT_IN_SCHOOL, after.isoformat(), until.isoformat()],
        ),
    )


def check_skills(ctx: Context) -> None:
    after, until = born_between(WORKING_AGES, ctx.today)
    _person_insert(
        ctx,
        "skill",
        (f"CAST({_age_sql('p.birth_date', ctx.today)} AS TEXT) || %s", [" 岁，未填劳动技能"]),
        (
            "p.labour_skill = '' AND p.birth_date > %s AND p.birth_date <= %s",
            [after.isoformat(), until.isoformat()],
        ),
    )


CHECK_STEPS = [
    check_declared,
    check_heads,
    check_ids,
    check_duplicates,
    check_schooling,
    check_skills,
]


def register(code: str, label: str, step=None) -> None:
    """A check an app above the registry adds (monitoring's, on monitored households), from its
    ready(): the registry never imports it. ``step(ctx)`` writes ``QualityFinding`` rows with
    ``finding(ctx, code, …)``; one step may write the findings of several codes."""
    if code in CHECKS:
        return
    CHECKS[code] = label
    RANK[code] = len(RANK)
    if step is not None:
        CHECK_STEPS.append(step)


finding = _finding


# Runs ---------------------------------------------------------------------------------------


def _unit_name(path: str) -> str:
    if not path:
        return "全部单位"
    from anju.orgs.models import NODE_MODELS

    key = path.rstrip("/").split("/")[-1]
    model = NODE_MODELS.get(key[:1])
    node = model.objects.filter(pk=int(key[1:])).first() if model and key[1:].isdigit() else None
    return node.name if node else path


def expire_stale() -> int:
    """Runs whose worker died (queued or running for too long) end as failed."""
    return QualityRun.objects.filter(
        status__in=[QualityRun.Status.QUEUED, QualityRun.Status.RUNNING],
        created_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=QualityRun.Status.FAILED,
        finished_at=timezone.now(),
        error="检查未在规定时间内完成（后台任务可能已中断），已标记为失败。",
    )


def active_run(unit_path: str) -> QualityRun | None:
    return QualityRun.objects.filter(
        unit_path=unit_path, status__in=[QualityRun.Status.QUEUED, QualityRun.Status.RUNNING]
    ).first()


def create_run(unit_path: str, *, reason: str, user=None) -> QualityRun | None:
    """A queued run for the unit, or ``None`` if one is already queued or running there (the
    partial unique constraint decides, so two simultaneous clicks cannot both pass)."""
    expire_stale()
    try:
        with transaction.atomic():
            return QualityRun.objects.create(
                unit_path=unit_path,
                unit_name=_unit_name(unit_path),
                reason=reason,
                requested_by=user,
            )
    except IntegrityError:
        return None


def enqueue(unit_path: str, *, reason: str, user=None) -> tuple[QualityRun | None, bool]:
    """Queue a background run for the unit: (run, True), or (the run already under way, False)."""
    from .tasks import run_quality

    run = create_run(unit_path, reason=reason, user=user)
    if run is None:
        return active_run(unit_path), False
    transaction.on_commit(lambda: run_quality.delay(run.pk))
    return run, True


def enqueue_after_import(batch) -> None:
    """A finished (not dry-run) import queues the checks for the importer's unit."""
    if batch.status == batch.Status.DONE and not batch.dry_run:
        enqueue(batch.unit_path, reason="import")


def execute(run_id: int, *, today: date | None = None) -> QualityRun:
    """Run the checks of a queued run: replace its subtree's findings in one transaction, or
    mark it failed and leave the old findings as they were."""
    claimed = QualityRun.objects.filter(pk=run_id, status=QualityRun.Status.QUEUED).update(
        status=QualityRun.Status.RUNNING, started_at=timezone.now()
    )
    run = QualityRun.objects.get(pk=run_id)
    if not claimed:  # already run, or expired: running it again would do nothing new
        return run
    ctx = Context(run, run.unit_path, today or timezone.localdate())
    try:
        with transaction.atomic():
            QualityFinding.objects.filter(path__startswith=ctx.prefix).delete()
            for step in CHECK_STEPS:
                step(ctx)
            counts = dict.fromkeys(CHECKS, 0)
            rows = (
                QualityFinding.objects.filter(run=run)
                .values_list("code")
                .annotate(n=Count("id"))
                .order_by()
            )
            counts.update(dict(rows))
            run.counts = counts
            run.status = QualityRun.Status.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["counts", "status", "finished_at"])
    except Exception as exc:  # any failure ends the run as failed; the old findings remain
        logger.exception("quality run %s failed", run_id)
        QualityRun.objects.filter(pk=run_id).update(
            status=QualityRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"检查出错：{type(exc).__name__}: {exc}"[:2000],
        )
        run.refresh_from_db()
    return run


def check_now(unit_path: str = "", *, reason: str = "manual", today: date | None = None):
    """Run the checks for a unit synchronously (the CLI, the demo). ``None`` if a run for that
    unit is already queued or running."""
    run = create_run(unit_path, reason=reason)
    return execute(run.pk, today=today) if run else None


# Reading the findings -----------------------------------------------------------------------


def findings(user, *, node=None, code: str = ""):
    rows = QualityFinding.objects.visible_to(user)
    if node is not None:
        rows = rows.filter(path__startswith=node.path)
    if code:
        rows = rows.filter(code=code)
    return rows.order_by("rank", "path", "id")


def counts(rows) -> dict[str, int]:
    """Findings per check of an (already scoped) queryset, in one grouped query."""
    out = dict.fromkeys(CHECKS, 0)
    out.update(dict(rows.order_by().values_list("code").annotate(n=Count("id"))))
    return out


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["", *("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))]


def runs_for(user, node=None) -> dict:
    """The run whose time the page shows: the last finished run over the unit or a unit above it
    (it covered all the rows shown), else the last one inside it; and a run under way there."""
    path = node.path if node is not None else home_path(user)
    above = _ancestors(path)
    near = QualityRun.objects.filter(Q(unit_path__in=above) | Q(unit_path__startswith=path))
    covering_first = Case(When(unit_path__in=above, then=Value(0)), default=Value(1))
    last = (
        near.filter(status=QualityRun.Status.DONE)
        .order_by(covering_first, "-finished_at", "-id")
        .first()
    )
    pending = (
        near.filter(status__in=[QualityRun.Status.QUEUED, QualityRun.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )
    return {"last": last, "pending": pending, "unit_path": path}


def detail_for(finding: QualityFinding, paths: list[str] | None) -> str:
    """The finding's message; for a duplicate, the other households the reader may see (those
    outside their scope are counted, not named)."""
    others = (finding.details or {}).get("others")
    if finding.code != "duplicate" or not others:
        return finding.message
    visible = [o for o in others if paths is None or any(o["path"].startswith(p) for p in paths)]
    hidden = len(others) - len(visible)
    parts = []
    if visible:
        parts.append(f"与户 {'、'.join(o['number'] for o in visible)} 的成员姓名、出生日期相同")
    if hidden:
        parts.append(f"另有 {hidden} 户在您的管辖范围外")
    return "；".join(parts)


def present(user, rows) -> list[dict]:
    """Findings as the page, the export and the API show them."""
    paths = scope_paths(user)
    return [
        {
            "check": f.code,
            "check_label": CHECKS.get(f.code, f.code),
            "place": f.place,
            "subject": f.subject,
            "detail": detail_for(f, paths),
            "url": f.url,
            "site": f.site_id,
            "household": f.household_id,
            "person": f.person_id,
        }
        for f in rows
    ]


__all__ = [
    "CHECKS",
    "SiteCounts",
    "check_now",
    "counted_by_site",
    "enqueue",
    "execute",
    "findings",
    "present",
]
