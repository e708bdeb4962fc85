"""The risk rules of the monthly scan (部门筛查预警、数据比对), as policy data.

Each rule reads one kind of fact and names it by a ``fact_key``: the same fact found again is
not a new signal. A rule is on unless a unit switches it off (``monitoring.rule.<code>``); its
thresholds are policy parameters of the unit too. What the rules watch comes from
《石城县2022年强化易地扶贫搬迁后续扶持工作的实施方案》第3条、第4条 (一收入两不愁三保障, 突发困难) and
the national procedure: income under the line or just above it, a sharp drop, large rigid
spending (medical and schooling), a child of compulsory-school age out of school, no basic
medical insurance, a hardship found at the door or reported by the household, and every signal
a department sends.

Each rule is an ``INSERT … SELECT`` into the scan's table of hits (``scan.py``), over the rows of
one region (a subtree whose parameters are the same): set-based, whatever the number of
households; the four income rules share one statement that reads the incomes once, the two
rules on persons one that reads the persons once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from anju.policies.registry import MONITORING_RULES
from anju.registry.choices import NOT_IN_SCHOOL
from anju.registry.quality import born_between

from .feeds import DEPARTMENTS, indicator_label

LABELS = dict(MONITORING_RULES)

SOURCES = {
    "income_below_line": "数据比对（家庭收支）",
    "income_edge": "数据比对（家庭收支）",
    "income_drop": "数据比对（家庭收支）",
    "rigid_spending": "数据比对（家庭收支）",
    "out_of_school": "数据比对（家庭成员）",
    "no_medical_insurance": "数据比对（家庭成员）",
}

# 义务教育法第十一条: children start school at six (seven where conditions are lacking) and
# study nine years. Ages 7 to 14 are in compulsory school whichever year they started: a warning
# names only them, where the registry's data check (6 to 15) also asks about the edges.
SCHOOL_AGES = (7, 14)
BASIC_MEDICAL = ("城乡居民基本医疗保险", "职工基本医疗保险")

COLUMNS = "household_id, rule, fact_key, person_id, lead_id, signal_id, value, threshold, ref, path"


@dataclass(frozen=True)
class Rule:
    """A rule an app above monitoring adds (employment: a household with labour and no one
    employed), registered from its ``AppConfig.ready`` so monitoring imports nothing above it.

    ``params(value)`` reads its parameters with ``value(key)`` and returns them, or None when a
    threshold is not set (the rule then does not run, and the scan says so); ``statement(params,
    year=, period_end=, vendor=, household=)`` returns (SQL, parameters) inserting into
    ``scan_hits`` with the ``{region}`` and ``{households}`` placeholders as the built-in rules
    have, ``household`` being the join to the household where it lives now (alias ``h``) of a
    row ``x`` with a ``household_id``; ``describe(signal)`` says what it found."""

    code: str
    source: str
    keys: tuple[str, ...]
    params: Callable
    statement: Callable
    describe: Callable


EXTERNAL: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    EXTERNAL[rule.code] = rule
    SOURCES[rule.code] = rule.source
    return rule


@dataclass
class Params:
    """The parameters in force for one region on the scan's date."""

    enabled: dict[str, bool] = field(default_factory=dict)
    income_line: Decimal | None = None
    edge_band: Decimal | None = None
    drop_share: Decimal | None = None
    rigid_share: Decimal | None = None
    door_check_days: int | None = None
    # An added rule's parameters by its code (None: a threshold not set).
    extra: dict = field(default_factory=dict)

    def on(self, code: str) -> bool:
        return self.enabled.get(code, True)


def _decimal(value) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def params_for(node, on: date) -> Params:
    """``node`` None: the whole platform, where no unit has set anything."""
    from anju.policies.selectors import resolve

    if node is None:
        return Params()

    def value(key):
        return resolve(key, node, on).value

    return Params(
        enabled={
            code: value(f"monitoring.rule.{code}") is not False for code, _ in MONITORING_RULES
        },
        income_line=_decimal(value("monitoring.income_line")),
        edge_band=_decimal(value("monitoring.edge_band")),
        drop_share=_decimal(value("monitoring.drop_share")),
        rigid_share=_decimal(value("monitoring.rigid_share")),
        door_check_days=value("monitoring.door_check_days"),
        extra={code: rule.params(value) for code, rule in EXTERNAL.items()},
    )


def _household(vendor: str) -> str:
    """The household of row ``x`` where it lives now (alias ``h``), within the region. On
    PostgreSQL looked up row by row (``OFFSET 0`` keeps the lookup a subquery): the rules keep a
    few per cent of the rows, where a hash join would first read and hash every household of the
    region."""
    if vendor == "postgresql":
        return (
            "CROSS JOIN LATERAL (SELECT h.path FROM registry_household h "
            "WHERE h.id = x.household_id AND {region} OFFSET 0) h"
        )
    return "JOIN registry_household h ON h.id = x.household_id AND {region}"


def statements(p: Params, *, year: int, period_end: date, vendor: str) -> list:
    """The rules in force with their parameters, as (SQL, parameters): each SQL has a
    ``{region}`` placeholder (a condition on the household's path, alias ``h``) and a
    ``{households}`` one (limiting ``t.household_id``). A rule whose threshold is not set does
    not run. Every rule joins the household, so a fact is found where the household lives now."""
    out: list[tuple[str, dict]] = []
    base = {"year": year}
    insert = f"INSERT INTO scan_hits ({COLUMNS}) "
    household = _household(vendor)

    # The four income rules in one statement that reads the incomes once, in the order of their
    # (household, year) key: for each household its latest income (the scanned year's, or the
    # year before's while this year's is not in) with the year before it (lag), the rows no rule
    # keeps dropped before the household is looked up.
    income_rules = []  # (condition on npc, prev_npc, rigid, net; the SELECT)
    params: dict = {}
    # Typed, so that the UNION of the rules agrees on each column's type.
    no_ids = "CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS bigint)"
    if p.income_line is not None and p.on("income_below_line"):
        income_rules.append(
            (
                "{x}npc < %(line)s",
                f"SELECT household_id, 'income_below_line', 'income:' || year, {no_ids}, "
                "npc, CAST(%(line)s AS numeric), '', path FROM latest",
            )
        )
        params["line"] = p.income_line
    if p.income_line is not None and p.edge_band is not None and p.on("income_edge"):
        income_rules.append(
            (
                "{x}npc >= %(line)s AND {x}npc <= %(edge)s",
                f"SELECT household_id, 'income_edge', 'income:' || year, {no_ids}, "
                "npc, CAST(%(line)s AS numeric), '', path FROM latest",
            )
        )
        params["line"] = p.income_line
        params["edge"] = (p.income_line * (100 + p.edge_band) / 100).quantize(Decimal("0.01"))
    if p.drop_share is not None and p.on("income_drop"):
        income_rules.append(
            (
                "{x}prev_npc > 0 AND {x}npc < {x}prev_npc * %(factor)s",
                f"SELECT household_id, 'income_drop', 'drop:' || year, {no_ids}, "
                "npc, prev_npc, '', path FROM latest",
            )
        )
        params["factor"] = (100 - p.drop_share) / 100
    if p.rigid_share is not None and p.on("rigid_spending"):
        income_rules.append(
            (
                "{x}rigid > 0 AND {x}rigid > {x}net * %(share)s",
                f"SELECT household_id, 'rigid_spending', 'rigid:' || year, {no_ids}, "
                "rigid, net, '', path FROM latest",
            )
        )
        params["share"] = p.rigid_share / 100
    if income_rules:
        any_rule = " OR ".join(f"({c.format(x='x.')})" for c, _ in income_rules)
        out.append(
            (
                "WITH latest AS (SELECT x.household_id, x.year, x.npc, x.net, x.rigid, "
                "x.prev_npc, h.path FROM (SELECT t.household_id, t.year, "
                "t.net_per_capita AS npc, t.net_income AS net, "
                "t.medical_cost + t.schooling_cost AS rigid, "
                "CASE WHEN lag(t.year) OVER w = t.year - 1 THEN lag(t.net_per_capita) OVER w "
                "END AS prev_npc, lead(t.year) OVER w AS next_year "
                "FROM monitoring_income t WHERE t.year >= %(year)s - 2 AND t.year <= %(year)s "
                "{households} WINDOW w AS (PARTITION BY t.household_id ORDER BY t.year)) x "
                f"{household} WHERE x.year >= %(year)s - 1 AND x.next_year IS NULL "
                f"AND ({any_rule})) "
                + insert
                + " UNION ALL ".join(
                    f"{select} WHERE {c.format(x='')}" for c, select in income_rules
                ),
                {**base, **params},
            )
        )
    # The two rules on persons in one statement that reads the persons once.
    first = date(year, period_end.month, 1)
    person_rules = []  # (column, condition on t, the SELECT)
    no_person_ids = (
        "CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS numeric), CAST(NULL AS numeric)"
    )
    person_params: dict = {}
    if p.on("out_of_school"):
        person_rules.append(
            (
                "out_of_school",
                "t.birth_date > %(born_after)s AND t.birth_date <= %(born_by)s "
                "AND t.schooling = %(out)s",
                "SELECT household_id, 'out_of_school', 'school:' || id || ':' || %(year)s, "
                f"id, {no_person_ids}, '', path FROM persons",
            )
        )
        person_params.update(
            born_after=born_between(SCHOOL_AGES, first)[0],
            born_by=born_between(SCHOOL_AGES, first)[1],
            out=NOT_IN_SCHOOL,
        )
    if p.on("no_medical_insurance"):
        if vendor == "postgresql":
            uninsured = "NOT (t.medical_insurance ?| %(basic)s)"
            person_params["basic"] = list(BASIC_MEDICAL)
        else:
            uninsured = (
                "NOT EXISTS (SELECT 1 FROM json_each(t.medical_insurance) m "
                "WHERE m.value IN (%(basic0)s, %(basic1)s))"
            )
            person_params.update(basic0=BASIC_MEDICAL[0], basic1=BASIC_MEDICAL[1])
        person_rules.append(
            (
                "uninsured",
                uninsured,
                "SELECT household_id, 'no_medical_insurance', "
                "'insurance:' || id || ':' || %(year)s, "
                f"id, {no_person_ids}, '', path FROM persons",
            )
        )
    if person_rules:
        columns = ", ".join(f"x.{name}" for name, _, _ in person_rules)
        flags = ", ".join(f"({c}) AS {name}" for name, c, _ in person_rules)
        any_rule = " OR ".join(f"x.{name}" for name, _, _ in person_rules)
        out.append(
            (
                f"WITH persons AS (SELECT x.id, x.household_id, h.path, {columns} "
                f"FROM (SELECT t.id, t.household_id, {flags} FROM registry_person t "
                "WHERE 1 = 1 {households}) x "
                f"{household} WHERE {any_rule}) "
                + insert
                + " UNION ALL ".join(f"{select} WHERE {name}" for name, _, select in person_rules),
                {**base, **person_params},
            )
        )
    if p.on("lead"):
        out.append(
            (
                insert
                + "SELECT t.household_id, 'lead', 'lead:' || t.id, NULL, t.id, NULL, NULL, NULL, "
                "t.source, h.path FROM monitoring_lead t "
                "JOIN registry_household h ON h.id = t.household_id WHERE {region} "
                "AND t.status = 'new' AND t.created_at < %(until)s {households}",
                {**base, "until": _day_after(period_end)},
            )
        )
    if p.on("department"):
        out.append(
            (
                insert + "SELECT t.household_id, 'department', 'dept:' || t.department || ':' "
                "|| t.indicator || ':' || COALESCE(t.person_id, 0) || ':' || t.occurred_on, "
                "t.person_id, NULL, t.id, t.value, NULL, t.department || ':' || t.indicator, h.path "
                "FROM monitoring_signal t JOIN monitoring_feed f ON f.id = t.feed_id "
                "JOIN registry_household h ON h.id = t.household_id WHERE {region} "
                "AND f.period <= %(period)s {households}",
                {**base, "period": f"{year:04d}-{period_end.month:02d}"},
            )
        )
    for code, rule in EXTERNAL.items():
        if p.on(code) and p.extra.get(code) is not None:
            out.append(
                rule.statement(
                    p.extra[code],
                    year=year,
                    period_end=period_end,
                    vendor=vendor,
                    household=household,
                    insert=insert,
                )
            )
    return out


def _day_after(day: date):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def describe(signal) -> str:
    """The signal in the words of the page: what was found, with its figures."""
    rule, value, threshold = signal.rule, signal.value, signal.threshold
    if rule in EXTERNAL:
        return EXTERNAL[rule].describe(signal)
    year = signal.fact_key.split(":")[1] if ":" in signal.fact_key else ""
    if rule == "income_below_line":
        return f"{year}年家庭人均纯收入 {value} 元，低于监测标准 {threshold} 元"
    if rule == "income_edge":
        return f"{year}年家庭人均纯收入 {value} 元，略高于监测标准 {threshold} 元"
    if rule == "income_drop":
        return f"{year}年家庭人均纯收入 {value} 元，上一年 {threshold} 元，降幅较大"
    if rule == "rigid_spending":
        return f"{year}年医疗、教育支出 {value} 元，家庭纯收入 {threshold} 元"
    if rule == "out_of_school":
        return f"{signal.person.name if signal.person else '家庭成员'}：义务教育年龄，非在校生"
    if rule == "no_medical_insurance":
        return f"{signal.person.name if signal.person else '家庭成员'}：未参加基本医疗保险"
    if rule == "lead" and signal.lead is not None:
        from .choices import HARDSHIPS

        hardships = "、".join(dict(HARDSHIPS).get(h, h) for h in signal.lead.hardships)
        return f"{signal.lead.get_source_display()}：{hardships or signal.lead.description[:40]}"
    if rule == "department":
        department, _, indicator = signal.ref.partition(":")
        text = f"{dict(DEPARTMENTS).get(department, department)}：{indicator_label(department, indicator)}"
        if signal.person is not None:
            text = f"{text}（{signal.person.name}）"
        if value is not None:
            text = f"{text} {value} 元"
        return text
    return LABELS.get(rule, rule)


def short_label(signal) -> str:
    """A few words for a list: 收入低于监测标准, 农户自主申报, 医保：自付医疗费用 …"""
    if signal.rule == "lead" and signal.lead is not None:
        return signal.lead.get_source_display()
    if signal.rule == "department":
        department, _, indicator = signal.ref.partition(":")
        name = dict(DEPARTMENTS).get(department, department)
        return f"{name}：{indicator_label(department, indicator)}"
    return LABELS.get(signal.rule, signal.rule)


def source_of(signal) -> str:
    if signal.rule == "lead" and signal.lead is not None:
        return signal.lead.get_source_display()
    if signal.rule == "department":
        department = signal.ref.partition(":")[0]
        return f"部门筛查预警（{dict(DEPARTMENTS).get(department, department)}）"
    return SOURCES.get(signal.rule, "数据比对")


def not_run(p: Params) -> list[str]:
    """Rules switched on whose threshold the region has not set: the scan says so."""
    missing = []
    if p.income_line is None:
        missing += [LABELS["income_below_line"], LABELS["income_edge"]]
    elif p.edge_band is None:
        missing.append(LABELS["income_edge"])
    if p.drop_share is None:
        missing.append(LABELS["income_drop"])
    if p.rigid_share is None:
        missing.append(LABELS["rigid_spending"])
    missing += [
        LABELS.get(code, code) for code in EXTERNAL if p.on(code) and p.extra.get(code) is None
    ]
    return missing


def region_keys() -> tuple[str, ...]:
    """The parameter keys outside ``monitoring.`` that the added rules read: a unit setting one
    of them scans as a region of its own."""
    return tuple(k for rule in EXTERNAL.values() for k in rule.keys)
