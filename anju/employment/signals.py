"""The monitoring rule this app adds: a household with labour and no one employed (有劳动力无人
就业, the employment issue: a lost job must raise a monitoring signal).

Labour: members of the working ages (``employment.labour_age_min`` … ``_max``) whose 劳动技能 is
普通、技能、弱或半劳动力. The rule looks only at households whose employment is on record (at least
one job recorded): a household nobody has recorded yet is a gap in the data, shown on the labour
roster, not a fact to warn about. The fact is named by the end of the household's last job, so
the same spell without work is one signal, and a new job lost later is a new one.
"""

from __future__ import annotations

from datetime import date

from anju.monitoring.rules import Rule
from anju.registry.choices import WITH_LABOUR
from anju.registry.quality import born_between

LABOUR = sorted(WITH_LABOUR)


def _params(value):
    low, high = value("employment.labour_age_min"), value("employment.labour_age_max")
    if low is None or high is None:
        return None
    return (int(low), int(high))


def _statement(ages, *, year, period_end: date, vendor, household, insert):
    born_after, born_by = born_between(ages, period_end)
    skills = ", ".join(f"%(skill{i})s" for i in range(len(LABOUR)))
    cast = "varchar(10)" if vendor == "postgresql" else "text"
    sql = (
        insert + "SELECT x.household_id, 'no_one_employed', "
        f"'jobless:' || CAST(x.last_end AS {cast}), NULL, NULL, NULL, x.labour, NULL, '', h.path "
        "FROM (SELECT t.household_id, COUNT(*) AS labour, "
        "(SELECT MAX(e.ended_on) FROM employment_employmentrecord e "
        "WHERE e.household_id = t.household_id) AS last_end "
        "FROM registry_person t "
        f"WHERE t.labour_skill IN ({skills}) "
        "AND t.birth_date > %(born_after)s AND t.birth_date <= %(born_by)s {households} "
        "AND EXISTS (SELECT 1 FROM employment_employmentrecord e "
        "WHERE e.household_id = t.household_id) "
        "AND NOT EXISTS (SELECT 1 FROM employment_employmentrecord e "
        "WHERE e.household_id = t.household_id AND e.started_on <= %(end)s "
        "AND (e.ended_on IS NULL OR e.ended_on > %(end)s)) "
        f"GROUP BY t.household_id) x {household} WHERE x.last_end IS NOT NULL"
    )
    params = {f"skill{i}": skill for i, skill in enumerate(LABOUR)}
    params.update(born_after=born_after, born_by=born_by, end=period_end)
    return sql, params


def _describe(signal) -> str:
    since = signal.fact_key.partition(":")[2]
    count = int(signal.value) if signal.value is not None else 0
    return f"家中有劳动力 {count} 人，{since} 起无人就业"


NO_ONE_EMPLOYED = Rule(
    code="no_one_employed",
    source="数据比对（就业记录）",
    keys=("employment.labour_age_min", "employment.labour_age_max"),
    params=_params,
    statement=_statement,
    describe=_describe,
)
