"""Set-based matching: every (seeker, open posting) pair of a batch scored in one SQL statement
with the rules and weights of ``matching.explain``, and the best N kept per seeker (or per
posting).

Why SQL: a county's batch is every seeker against every open posting; checked pair by pair in
Python that is hours, in the database seconds. Why the same rules: what a page shows next to a
rank is ``explain()``'s explanation of that pair, so the score that ranked it must be the one
``explain()`` gives. ``matching.py`` keeps the rules readable; this file writes each one as a SQL
term, in the same order, and ``tests/test_matchsql.py`` holds the two to the same scores, ranks
and excluded pairs on a varied sample.

Hard requirements (the posting's sex, its validity, a place beyond the circle of a seeker bound
to the site) are in the join condition: the pair is never formed. Soft ones are terms subtracted
from 100. Money is compared in integer fen (分), so the pay term's division is exact integer
arithmetic like Python's ``int(Decimal)``.

The candidates come through the scope gate: ``seekers`` and ``postings`` are the querysets the
selectors give (``Seeker.objects.visible_to``, ``selectors.shared``), embedded as subqueries. A
posting reaches a seeker only when it is kept at the seeker's place or above (their town's, their
county's) or within their site, never sideways, so a batch made for the whole county shows a
town's staff nothing of the next town.

PostgreSQL only (``jsonb ?|``, ``array_position``); on another database (the SQLite demo) the
callers fall back to ``explain()`` pair by pair (``python_pairs``), which gives the same answer
slowly.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db import connection

from anju.core.geo import EARTH_RADIUS_KM
from anju.registry.choices import EDUCATION

from . import matching


def available() -> bool:
    return connection.vendor == "postgresql"


class _Sql:
    """Collects named parameters while the statement is written; a queryset's compiled SQL is
    embedded with its positional parameters renamed."""

    def __init__(self):
        self.params: dict[str, object] = {}

    def p(self, name: str, value) -> str:
        self.params[name] = value
        return f"%({name})s"

    def subquery(self, name: str, queryset) -> str:
        sql, params = queryset.query.sql_with_params()
        count = iter(range(len(params)))

        def rename(_m):
            i = next(count)
            self.params[f"{name}_{i}"] = params[i]
            return f"%({name}_{i})s"

        return re.sub(r"(?<!%)%s", rename, sql)


def _radius_values(q: _Sql, radius: dict[int, Decimal]) -> str:
    if not radius:
        return "SELECT NULL::bigint AS site_id, NULL::float8 AS km WHERE false"
    rows = ", ".join(
        f"({q.p(f'rs{i}', site)}::bigint, {q.p(f'rk{i}', float(km))}::float8)"
        for i, (site, km) in enumerate(sorted(radius.items()))
    )
    return f"SELECT * FROM (VALUES {rows}) AS r(site_id, km)"


def scored_sql(
    q: _Sql, seekers, postings, on: date, radius: dict[int, Decimal], reach: bool
) -> str:
    """``SELECT seeker_id, posting_id, site_id, path, score, valid_to, name`` for every pair that
    no hard requirement excludes (and, with ``reach``, where the posting reaches the seeker)."""
    reaches = (
        "AND (pl.path LIKE p.path || '%%' OR p.path LIKE pl.site_path || '%%')" if reach else ""
    )
    on_p, edu = q.p("on", on), q.p("edu", EDUCATION)
    days = matching.WORKING_DAYS_A_MONTH
    return f"""
    WITH radius AS ({_radius_values(q, radius)}),
    s AS (
        SELECT k.id, k.path, h.site_id, site.path AS site_path, pe.sex, pe.name,
               (extract(year FROM {on_p}::date) - extract(year FROM pe.birth_date))::int
                 - CASE WHEN to_char(pe.birth_date, 'MMDD') > to_char({on_p}::date, 'MMDD')
                        THEN 1 ELSE 0 END AS age,
               coalesce(array_position({edu}::text[], pe.education) - 1, -1) AS edu,
               pe.health ?| {q.p("serious", sorted(matching.SERIOUS))}::text[] AS serious,
               (k.min_pay * 100)::bigint AS min_pay,
               k."where" AS wish_area, k.home_based_only, k.near_site,
               radians(sp.latitude::float8) AS lat, radians(sp.longitude::float8) AS lon,
               coalesce(r.km, {q.p("default_km", float(matching.CIRCLE_KM_DEFAULT))}) AS km
        FROM employment_seeker k
        JOIN registry_person pe ON pe.id = k.person_id
        JOIN registry_household h ON h.id = pe.household_id
        LEFT JOIN orgs_site site ON site.id = h.site_id
        LEFT JOIN registry_siteprofile sp ON sp.site_id = h.site_id
        LEFT JOIN radius r ON r.site_id = h.site_id
        WHERE k.active AND k.id IN ({q.subquery("sk", seekers.values("pk"))})
    ),
    p AS (
        SELECT j.id, j.path, j.sex, j.age_min, j.age_max, j.valid_to,
               CASE WHEN j.education_min = '' THEN NULL
                    ELSE array_position({edu}::text[], j.education_min) - 1 END AS need,
               j.health <> '' AS health_req,
               (CASE WHEN j.pay_kind = 'daily' THEN j.pay_min * {days} ELSE j.pay_min END
                 * 100)::bigint AS pay,
               j.area, j.home_based,
               radians(j.latitude::float8) AS lat, radians(j.longitude::float8) AS lon
        FROM employment_posting j
        WHERE j.valid_from <= {on_p}::date AND j.valid_to >= {on_p}::date
          AND j.id IN ({q.subquery("pk", postings.values("pk"))})
    ),
    -- What depends on the place only (a household's path and site), computed once per place
    -- and posting rather than per pair: whether the posting reaches it, and how far it is.
    places AS (SELECT DISTINCT path, site_id, site_path, lat, lon, km FROM s),
    reach AS MATERIALIZED (
        SELECT pl.path AS place, pl.site_id AS place_site, p.id AS posting_id, p.sex AS p_sex,
               p.valid_to, p.home_based AS p_home, p.age_min, p.age_max, p.need,
               p.health_req, p.pay, p.area,
               CASE WHEN pl.lat IS NULL OR p.lat IS NULL THEN NULL
                    ELSE 2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt(
                        power(sin((p.lat - pl.lat) / 2), 2)
                        + cos(pl.lat) * cos(p.lat) * power(sin((p.lon - pl.lon) / 2), 2))))
               END > pl.km AS too_far,
               pl.lat IS NULL OR p.lat IS NULL AS unplaced
        FROM places pl JOIN p ON true {reaches}
    ),
    pairs AS (
        SELECT s.id, s.site_id, s.path, s.name, s.age, s.edu, s.serious, s.min_pay,
               s.wish_area, s.home_based_only, s.near_site, r.*
        FROM s JOIN reach r
          ON r.place = s.path AND r.place_site IS NOT DISTINCT FROM s.site_id
         AND (r.p_sex = '' OR r.p_sex = s.sex)
    )
    SELECT id AS seeker_id, posting_id, site_id, path, name, valid_to,
           greatest(0, 100
             - CASE WHEN age_min IS NOT NULL AND age < age_min THEN 10 + 2 * (age_min - age)
                    WHEN age_max IS NOT NULL AND age > age_max THEN 10 + 2 * (age - age_max)
                    ELSE 0 END
             - CASE WHEN need IS NOT NULL AND edu < need THEN 15 * (need - edu) ELSE 0 END
             - CASE WHEN health_req AND serious THEN 20 ELSE 0 END
             - CASE WHEN min_pay IS NOT NULL AND pay < min_pay
                    THEN least(40, (min_pay - pay) * 100 / min_pay) ELSE 0 END
             - CASE WHEN wish_area <> 'any' AND area <> wish_area THEN 25 ELSE 0 END
             - CASE WHEN home_based_only AND NOT p_home THEN 30 ELSE 0 END
             - CASE WHEN near_site AND NOT p_home AND unplaced
                    THEN {matching.NO_PLACE_PENALTY} ELSE 0 END
           ) AS score
    FROM pairs
    WHERE NOT coalesce(near_site AND NOT p_home AND too_far, false)
    """


def ranked_sql(
    seekers,
    postings,
    on: date,
    top: int,
    radius: dict[int, Decimal],
    per: str = "seeker",
    reach: bool = False,
) -> tuple[str, dict]:
    """The best ``top`` postings per seeker (``per="seeker"``, ties: the posting ending first,
    then the older), or seekers per posting (``per="posting"``, ties: by name), with their
    ``rank``. The window runs over the pairs left by the hard requirements."""
    q = _Sql()
    inner = scored_sql(q, seekers, postings, on, radius, reach)
    if per == "seeker":
        window = "PARTITION BY seeker_id ORDER BY score DESC, valid_to, posting_id"
    else:
        window = 'PARTITION BY posting_id ORDER BY score DESC, name COLLATE "C", seeker_id'
    sql = f"""
    SELECT seeker_id, posting_id, site_id, path, score, rank FROM (
        SELECT scored.*, row_number() OVER ({window}) AS rank FROM ({inner}) scored
    ) ranked WHERE rank <= {q.p("top", top)}
    """
    return sql, q.params


def top_pairs(
    seekers, postings, on: date, top: int, per: str = "seeker", reach: bool = False
) -> list[tuple]:
    """``(seeker_id, posting_id, site_id, path, score, rank)`` rows, best first: in one SQL
    statement on PostgreSQL, else by ``explain()`` pair by pair."""
    if not available():
        return python_pairs(seekers, postings, on, top, per, reach)
    radius = radius_for(seekers, on)
    sql, params = ranked_sql(seekers, postings, on, top, radius, per, reach)
    order = " ORDER BY seeker_id, rank" if per == "seeker" else " ORDER BY posting_id, rank"
    with connection.cursor() as cursor:
        cursor.execute(sql + order, params)
        return cursor.fetchall()


def reaches(posting, seeker) -> bool:
    """A posting kept at the seeker's place or above it, or within the seeker's site."""
    site = matching.seeker_site(seeker)
    return seeker.path.startswith(posting.path) or (
        site is not None and posting.path.startswith(site.path)
    )


def python_pairs(seekers, postings, on: date, top: int, per="seeker", reach=False) -> list[tuple]:
    """The same rows as ``top_pairs``, by ``explain()`` over every pair: the fallback where the
    database is not PostgreSQL, and the naive baseline of ``bench/matching.py``."""
    seekers = list(
        seekers.filter(active=True).select_related(
            "person", "person__household", "person__household__site__profile"
        )
    )
    postings = list(postings.filter(valid_from__lte=on, valid_to__gte=on))
    radius = matching.circles({matching.seeker_site(s) for s in seekers} - {None}, on)
    kept = []
    for seeker in seekers:
        km = radius.get(seeker.person.household.site_id)
        for posting in postings:
            if reach and not reaches(posting, seeker):
                continue
            match = matching.explain(posting, seeker, on, km)
            if not match.excluded:
                kept.append(match)
    if per == "seeker":
        key, order = (
            (lambda m: m.seeker.pk),
            (lambda m: (-m.score, m.posting.valid_to, m.posting.pk)),
        )
    else:
        key, order = (
            (lambda m: m.posting.pk),
            (lambda m: (-m.score, m.seeker.person.name, m.seeker.pk)),
        )
    groups: dict[int, list] = {}
    for match in kept:
        groups.setdefault(key(match), []).append(match)
    rows = []
    for group_key in sorted(groups):
        for rank, m in enumerate(sorted(groups[group_key], key=order)[:top], start=1):
            site = m.seeker.person.household.site_id
            rows.append((m.seeker.pk, m.posting.pk, site, m.seeker.path, m.score, rank))
    return rows


def radius_for(seekers, on: date) -> dict[int, Decimal]:
    """The circle's radius at every site of the seekers bound to their site."""
    from anju.orgs.models import Site

    site_ids = seekers.filter(near_site=True).values("person__household__site")
    return matching.circles(Site.objects.filter(pk__in=site_ids), on)
