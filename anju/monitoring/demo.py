"""Demo data of 防止返贫动态监测 for 清涧县: a year as the staff of 工业园区集中安置点 lived it.

What is loaded, relative to the day the demo is loaded (Asia/Shanghai), so the story stays current:

- the monitoring parameters for 陕西省 where none are in force (demo values, labelled so);
- monthly visits (每月回访) of nearly every 工业园区 household in each of the last 12 months and
  of the other 清涧县 sites in the last 6, this month's still under way; last year's 家庭收支 of
  every household of 陕西省's demo counties;
- a year of the loop, replayed day by day through the services: a member in hospital warned by
  the 医保 file, identified as 突发严重困难户, helped by health and 低保 measures and eliminated
  (帮扶消除); a self-report of a lost job walked the same way; a work accident found on a visit,
  whose elimination the platform refuses (not half a year since identification); an elderly
  couple on 低保 with no labour, kept under monitoring; the 医保 and 人社 files of recent months,
  an income check and a few reports of this week leaving warnings open, one door check overdue;
  each month's 监测帮扶台账 frozen on its day.

The replay moves the clock (``time_machine``, as the tests do) to each day of the story, so
every service checks and stamps what it does as on that day: warnings open on their day with
their deadlines, steps come after them, audit rows carry the day. Nothing is written around the
services except the year of visits and the incomes (see ``_bulk_visits`` and ``_bulk_incomes``).
``time_machine`` is a dev dependency (scripts/setup installs it): without it the monitoring demo
is left out, with a line saying so.

Running it twice adds nothing: each part looks for what it would create first.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from stdnum.cn import ric

from anju.accounts.models import User
from anju.audit import services as audit
from anju.core import periods
from anju.core.scope import scope_paths
from anju.orgs.models import AdminUnit, Grid, Site
from anju.policies import services as policies
from anju.policies.selectors import resolve
from anju.registry.choices import HEAD, WITH_LABOUR
from anju.registry.models import Household, Person, PersonMove

from . import assistance, coverage, feeds, frozen, identification, reports, services, tasks
from .models import Feed, Income, Visit, Warning

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARK = "工业园区集中安置点"
DEMO_NOTE = "演示值：无政策文件依据，仅供演示，请按本省当年文件修改"
# (key, value, what it means). None of the seed documents states them: demo values.
PARAMETERS = [
    ("monitoring.income_line", "7000", "家庭人均纯收入 7000 元/年"),
    ("monitoring.edge_band", "30", "高于监测标准不足 30% 视为边缘"),
    ("monitoring.drop_share", "30", "人均纯收入比上年下降超过 30%"),
    ("monitoring.rigid_share", "50", "医疗、教育支出超过家庭纯收入的 50%"),
    ("monitoring.door_check_days", "5", "预警后 5 个工作日内入户核实"),
]
VISIT_NOTES = [
    (["employment"], [], "家中新增 1 人在园区企业务工"),
    (["income"], [], "务工收入较上月增加"),
    (["members"], [], "家中新添一名婴儿，提醒办理户口登记和参保"),
    ([], ["appeals"], "反映楼道照明损坏，已报物业维修"),
    ([], ["integration"], "参加社区组织的技能培训和邻里活动"),
    (["industry"], [], "参加社区扶贫车间手工编织，按件计酬"),
]
ORIGIN_CADRES = ["刘建平", "白海军", "高文斌", "惠志刚", "师振华", "贺晓东"]
OTHER_VISITORS = ["刘海燕", "高志强", "白建军", "惠小梅", "师红霞", "贺鹏", "折文华", "李亚宁"]


def build(stdout=None) -> None:
    say = stdout.write if stdout else (lambda _msg: None)
    try:
        import time_machine  # noqa: F401
    except ImportError:  # a production install without the dev dependencies
        say("未安装 time-machine（开发依赖，scripts/setup 会安装）：未载入防返贫监测演示数据")
        return
    today = timezone.localdate()
    county = AdminUnit.objects.get(code="610830")
    province = AdminUnit.objects.get(code="610000")
    users = {u.username: u for u in User.objects.filter(username__in=ACTORS)}
    say(f"监测参数：新增 {_parameters(users['admin'], province, county, today)} 条（演示值）")
    cast = Cast.pick(county)
    visits = _bulk_visits(county, users, today)
    say(f"每月回访：新增 {visits} 条（近 12 个月，本月进行中）")
    incomes = _bulk_incomes(users["admin"], province, cast, today.year - 1)
    say(f"家庭收支：新增 {incomes} 户 {today.year - 1} 年收支")
    if Warning.objects.filter(path__startswith=county.path).exists() or Feed.objects.exists():
        say("监测预警与帮扶：已有数据，未重放")
        return
    story = Story(today, users, cast)
    story.plan()
    story.run()
    counts = Counter(
        Warning.objects.filter(path__startswith=county.path).values_list("status", flat=True)
    )
    names = dict(Warning.Status.choices)
    say(
        "监测预警："
        + "，".join(f"{names[s]} {counts[s]} 户" for s in names if counts[s])
        + f"；已封存台账 {story.frozen} 个月"
    )
    for line in story.notes:
        say(line)


ACTORS = ["admin", "grid", "chief", "site", "street", "town", "xczx", "wjj", "rsj", "mzj"]


# ---------------------------------------------------------------- parameters


def _parameters(admin, province, county, today) -> int:
    """The monitoring parameters for 陕西省 from 1 January of the year before last (the replayed
    year lies within), where 清涧县 has none in force then and today (a preset wins)."""
    start = date(today.year - 2, 1, 1)
    created = 0
    for key, value, meaning in PARAMETERS:
        if all(resolve(key, county, day).value is not None for day in (start, today)):
            continue
        policies.set_value(
            admin,
            key=key,
            unit=province,
            valid_from=start,
            value=value,
            source=f"{DEMO_NOTE}（{meaning}）",
        )
        created += 1
    return created


# ---------------------------------------------------------------- who the story is about


def _age(person, on: date) -> int:
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class Cast:
    """The households of the story, chosen by what the story needs (same registry → same cast)."""

    hospital: Household  # 医保 → 突发严重困难户 → 帮扶消除
    job: Household  # 自主申报 失业 → 脱贫不稳定户 → 帮扶消除
    accident: Household  # 回访发现 务工受伤 → 消除被拒（不满半年）
    elderly: Household  # 收入低于标准, 无劳动力, 低保 → 持续监测
    jobless: Household  # 人社 失业, 入户核实逾期
    jobless_back: Household  # 人社 失业, 核实已再就业 → 不予纳入
    bill: Household  # 医保 上月, 认定中（认定逾期）
    bill_town: Household  # 医保 上月, 冯家沟 (折家坪镇), 待核实
    schooling: Household  # 本周扫码申报 上学困难
    leak: Household  # 本月回访 住房安全
    edge: list[Household]  # 收入核查后处于边缘, 待核实
    _members: dict = field(default_factory=dict, repr=False)

    @classmethod
    def pick(cls, county) -> Cast:
        park = Site.objects.get(name=PARK, path__startswith=county.path)
        g1, g2, g3 = (
            Grid.objects.get(site=park, name=name) for name in ("第一网格", "第二网格", "第三网格")
        )
        households = Household.objects.filter(path__startswith=county.path).order_by("number")
        members: dict[int, list[Person]] = {}
        for p in Person.objects.filter(household__in=households).order_by("id"):
            members.setdefault(p.household_id, []).append(p)
        taken: set[int] = set()
        today = timezone.localdate()

        def labour(h):
            return [p for p in members[h.pk] if p.labour_skill in WITH_LABOUR]

        def one(path, test=lambda h: True):
            for h in households.filter(path__startswith=path):
                if h.pk not in taken and test(h):
                    taken.add(h.pk)
                    return h
            raise RuntimeError(f"演示数据：{path} 下没有符合条件的搬迁户")

        def working(h, size=3):
            return not h.safety_net and len(members[h.pk]) >= size and labour(h)

        def site_path(name):
            return Site.objects.get(name=name, path__startswith=county.path).path

        cast = cls(
            elderly=one(
                g1.path,
                lambda h: h.safety_net and len(members[h.pk]) >= 2 and not labour(h),
            ),
            hospital=one(
                g1.path,
                lambda h: (
                    working(h, 4)
                    and any(
                        p.relation != HEAD and 35 <= _age(p, today) <= 60 for p in members[h.pk]
                    )
                ),
            ),
            job=one(g1.path, lambda h: working(h, 2) and len(labour(h)) == 1),
            accident=one(g1.path, lambda h: working(h) and members[h.pk][0] in labour(h)),
            jobless=one(g1.path, working),
            bill=one(g1.path, working),
            schooling=one(
                g1.path,
                lambda h: working(h) and any(15 <= _age(p, today) <= 17 for p in members[h.pk]),
            ),
            jobless_back=one(g2.path, working),
            leak=one(g2.path, working),
            bill_town=one(site_path("冯家沟集中安置点"), working),
            edge=[
                one(g1.path, working),
                one(g3.path, working),
                one(site_path("庵上集中安置点"), working),
            ],
        )
        cast._members = members
        return cast

    def members(self, household) -> list[Person]:
        return self._members[household.pk]

    def worker(self, household) -> Person:
        return next(p for p in self.members(household) if p.labour_skill in WITH_LABOUR)


# ---------------------------------------------------------------- bulk: visits and incomes


def _visitor(household, users, sites: dict) -> tuple[User | None, str]:
    if household.path.startswith(sites["g1"]):
        return users["grid"], users["grid"].display_name
    if household.path.startswith(sites["park"]):
        return users["site"], users["site"].display_name
    name = OTHER_VISITORS[household.site_id % len(OTHER_VISITORS)]
    return None, name


def _months_back(today: date, n: int) -> str:
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def _bulk_visits(county, users, today) -> int:
    """A year of monthly visits. Written in bulk: about 11,000 visits through ``record_visit``
    (a locked read, validation, three roll-up upserts and an audit row each) would take most of
    a minute on SQLite. These visits find nothing that needs the loop (no 突发困难, no basic need
    unmet), so no lead is skipped; the visits of the story go through the service. Coverage is
    rebuilt from the visits afterwards, and each month gets one audit row naming the batch."""
    if Visit.objects.filter(path__startswith=county.path).exists():
        return 0
    park = Site.objects.get(name=PARK, path__startswith=county.path)
    sites = {"park": park.path, "g1": Grid.objects.get(site=park, name="第一网格").path}
    households = list(Household.objects.filter(path__startswith=county.path).order_by("number"))
    rng = random.Random(20260)
    current = periods.current()
    rows = []
    for back in range(11, -1, -1):
        period = _months_back(today, back)
        first, last = periods.bounds(period)
        last = min(last, today)
        # This month is under way: the share visited grows with the days gone.
        share = 0.2 + 0.55 * today.day / periods.bounds(current)[1].day if back == 0 else 0.97
        for h in households:
            in_park = h.path.startswith(park.path)
            if not in_park and back > 5:
                continue  # the other sites began monthly visits half a year ago
            if rng.random() > (share if in_park else share - 0.07):
                continue
            day = first + timedelta(days=rng.randrange((last - first).days + 1))
            actor, name = _visitor(h, users, sites)
            changes, situations, note = [], [], ""
            if rng.random() < 0.04:
                changes, situations, note = rng.choice(VISIT_NOTES)
            at = min(
                timezone.make_aware(datetime.combine(day, time(17, rng.randrange(60))), SHANGHAI),
                timezone.now(),
            )
            rows.append(
                Visit(
                    household=h,
                    period=period,
                    visited_on=day,
                    visitor=actor,
                    visitor_name=name,
                    changes=list(changes),
                    situations=list(situations),
                    note=note,
                    path=h.path,
                    created_at=at,
                    updated_at=at,
                )
            )
    with transaction.atomic():
        Visit.objects.bulk_create(rows, batch_size=2000)
        coverage.rebuild()
        per_month = Counter(v.period for v in rows)
        for period, n in sorted(per_month.items()):
            audit.record(
                None,
                audit.AuditLog.Action.CREATE,
                object_type="monitoring.visit",
                object_repr=f"{periods.label(period)} 每月回访 {n} 户",
                unit_path=county.path,
                note="演示数据：批量写入（逐户回访见各户记录）",
            )
    return len(rows)


# Per-capita incomes of last year where the story needs one (yuan): the 兜底 household below the
# line, the others clear of the edge band and of a sharp drop against this year's.
STORY_INCOME = {"elderly": 6480, "hospital": 10800, "job": 10200, "accident": 12500}
CENT = Decimal("0.01")


def _bulk_incomes(admin, province, cast: Cast, year: int) -> int:
    """Last year's 家庭收支 of every household in the province's demo counties, as a county's
    annual income survey would bring them in. Written in bulk: ``record_income`` per household
    (a locked read, three queries for the members, validation and an audit row) for 1,500
    households would double the demo's load time. Members and per-capita income are computed as
    the service computes them (members on 31 December, half up to the fen), one audit row."""
    reference = date(year, 12, 31)
    households = list(
        Household.objects.filter(path__startswith=province.path)
        .exclude(incomes__year=year)
        .order_by("number")
    )
    if not households:
        return 0
    if PersonMove.objects.filter(
        moved_at__gt=timezone.make_aware(datetime.combine(reference, time.max))
    ).exists():
        from .selectors import members_on

        sizes = {h.pk: members_on(h, reference) for h in households}
    else:
        sizes = dict(
            Person.objects.filter(household__in=households, birth_date__lte=reference)
            .values_list("household")
            .annotate(n=Count("id"))
            .order_by()
        )
    labour = set(
        Person.objects.filter(household__in=households, labour_skill__in=WITH_LABOUR)
        .values_list("household_id", flat=True)
        .distinct()
    )
    fixed = {getattr(cast, role).pk: pc for role, pc in STORY_INCOME.items()}
    rng = random.Random(year)
    rows = []
    for h in households:
        members = sizes.get(h.pk, 0)
        if not members:
            continue
        with_labour = h.pk in labour
        low, high = (10000, 22000) if with_labour else (9300, 10800)
        per_capita = fixed.get(h.pk) or rng.randrange(low, high, 10)
        net = Decimal(per_capita * members)
        # 清涧县's dividend by household size (policy industry.dividend_tiers); none for 兜底户.
        dividend = Decimal(0 if h.safety_net else (1800 if members <= 3 else 2400))
        dividend = min(dividend, net)
        if with_labour:
            business = (net * Decimal(rng.choice(["0", "0", "0.08", "0.12"]))).quantize(Decimal(1))
            cost = (business * Decimal("0.3")).quantize(Decimal(1))
            transfer = (net * Decimal(rng.randrange(3, 9)) / 100).quantize(Decimal(1))
            wage = net - business + cost - dividend - transfer
        else:
            business = cost = wage = Decimal(0)
            transfer = net - dividend
        medical = Decimal(rng.choice([0, 0, 300, 800, 1500]))
        rows.append(
            Income(
                household=h,
                year=year,
                reference_date=reference,
                wage=wage,
                business=business,
                property_income=dividend,
                transfer=transfer,
                business_cost=cost,
                medical_cost=medical,
                members=members,
                net_income=net,
                net_per_capita=(net / members).quantize(CENT, rounding=ROUND_HALF_UP),
                source=Income.Source.IMPORT,
                recorded_by="清涧县乡村振兴局（演示数据）",
                path=h.path,
            )
        )
    with transaction.atomic():
        Income.objects.bulk_create(rows, batch_size=1000)
        audit.record(
            admin,
            audit.AuditLog.Action.IMPORT,
            object_type="monitoring.income",
            object_repr=f"{year} 年家庭收支 {len(rows)} 户",
            unit_path=province.path,
            note="演示数据：批量写入",
        )
    return len(rows)


# ---------------------------------------------------------------- the replayed year


@contextmanager
def _on(day: date, hour: int):
    import time_machine

    moment = datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        yield


def _row(person, indicator, day, note, value=None) -> list:
    """A row of a department's file (身份证号, 姓名, 指标, 数值, 发生日期, 备注)."""
    amount = "" if value is None else str(value)
    return [person.id_number, person.name, indicator, amount, day.isoformat(), note]


def _stranger(name: str, born: date) -> SimpleNamespace:
    """Someone in a department's file who is not a relocated person: listed back as unmatched.
    A valid identity number (清涧县's code before 1999) that no one in the registry holds."""
    for seq in range(101, 999, 2):
        body = f"612731{born:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if not Person.objects.filter(id_number=number).exists():
            return SimpleNamespace(id_number=number, name=name)
    raise RuntimeError("演示：找不到未使用的身份证号")


class Story:
    """Events on days before today, run in order, each with the clock on its day."""

    def __init__(self, today: date, users: dict, cast: Cast):
        self.today, self.u, self.cast = today, users, cast
        self.events: list[tuple[date, int, int, object]] = []
        self.notes: list[str] = []
        self.frozen = 0
        self.tmp = Path(tempfile.mkdtemp(prefix="anju-demo-"))

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def at(self, day: date, hour: int, action) -> None:
        if day >= self.today:  # the clock never runs ahead of the real one
            raise ValueError(f"演示：{day} 不在今天之前")
        self.events.append((day, hour, len(self.events), action))

    def run(self) -> None:
        try:
            for day, hour, _n, action in sorted(self.events, key=lambda e: e[:3]):
                with _on(day, hour):
                    action()
        finally:
            for path in self.tmp.iterdir():
                path.unlink()
            self.tmp.rmdir()

    def warning(self, household) -> Warning:
        return Warning.objects.filter(household=household).order_by("-id").first()

    # -------- the pieces every household's story is made of

    def feed(self, day, user, department, rows, name) -> None:
        def action():
            path = self.tmp / f"{name}.csv"
            with open(path, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["身份证号", "姓名", "指标", "数值", "发生日期", "备注"])
                for row in rows:
                    writer.writerow(row)
            outcome = feeds.import_feed(
                self.u[user],
                path,
                f"{name}.csv",
                department=department,
                period=periods.current(),
            )
            if not outcome.ok:
                raise RuntimeError(f"演示部门数据导入失败：{outcome.errors[:3]}")

        self.at(day, 9, action)

    def identify(self, household, start: date, door: dict, *, upto=4) -> None:
        """The four steps of 纳入监测 from ``start`` (the door check), ``upto`` of them taken."""
        notice_from = start + timedelta(days=3)
        steps = [
            (start, "grid", "door_check", {"commitment_signed": True, **door}),
            (
                notice_from,
                "chief",
                "village_review",
                {
                    "notice_from": notice_from,
                    "notice_to": notice_from + timedelta(days=4),
                    "note": "村（居）民代表民主评议同意纳入，张榜公示 5 天无异议",
                },
            ),
            (notice_from + timedelta(days=5), "street", "town_review", {"note": "审核同意"}),
            (notice_from + timedelta(days=7), "xczx", "county_decision", {"note": "审定纳入监测"}),
        ]
        for day, user, kind, fields in steps[:upto]:

            def action(user=user, kind=kind, fields=fields):
                identification.take_step(
                    self.u[user],
                    self.warning(household),
                    kind,
                    acted_on=timezone.localdate(),
                    passed=True,
                    **fields,
                )

            self.at(day, 10, action)

    def assist(self, household, day: date, origin: str, measures) -> None:
        """双向帮扶 cadres and the plan, then each measure done on its day."""
        origin = f"{ORIGIN_CADRES[household.pk % len(ORIGIN_CADRES)]}（{origin}）"

        def plan():
            warning = self.warning(household)
            assistance.set_cadres(
                self.u["chief"],
                warning,
                destination_cadre=_destination_cadre(household, self.u),
                origin_cadre=f"{household.origin_town}{household.origin_village} {origin}",
            )
            for kind, risk, content, responsible, _done, _outcome in measures:
                assistance.add_measure(
                    self.u["chief"],
                    warning,
                    kind=kind,
                    risk_type=risk,
                    content=content,
                    responsible=responsible,
                    planned_on=timezone.localdate() + timedelta(days=30),
                )

        self.at(day, 15, plan)
        for index, (_kind, _risk, _content, _resp, done, outcome) in enumerate(measures):

            def finish(index=index, outcome=outcome):
                measure = self.warning(household).measures.order_by("id")[index]
                assistance.complete_measure(
                    self.u["chief"], measure, done_on=timezone.localdate(), outcome=outcome
                )

            self.at(done, 16, finish)

    def income(self, household, day: date, user: str, per_capita: int, transfer: int) -> None:
        """A cadre records this year's income so far (收入核查) before the elimination check."""

        def action():
            on = timezone.localdate()
            net = per_capita * len(self.cast.members(household))
            services.record_income(
                self.u[user], household, year=on.year, wage=net - transfer, transfer=transfer
            )

        self.at(day, 11, action)

    def eliminate(self, household, start: date) -> None:
        """The four steps of 风险消除 (帮扶消除) from ``start``."""
        notice_from = start + timedelta(days=2)
        steps = [
            (
                start,
                "grid",
                "door_check",
                {"method": "by_assistance", "housing_safe": True, "water_safe": True},
            ),
            (
                notice_from,
                "chief",
                "village_review",
                {"notice_from": notice_from, "notice_to": notice_from + timedelta(days=4)},
            ),
            (notice_from + timedelta(days=5), "street", "town_review", {}),
            (notice_from + timedelta(days=7), "xczx", "county_decision", {}),
        ]
        for day, user, kind, fields in steps:

            def action(user=user, kind=kind, fields=fields):
                assistance.take_step(
                    self.u[user],
                    self.warning(household),
                    kind,
                    acted_on=timezone.localdate(),
                    passed=True,
                    **fields,
                )

            self.at(day, 10, action)

    def visit(self, household, day: date, user: str, **found) -> None:
        def action():
            on = timezone.localdate()
            services.record_visit(
                self.u[user], household, period=periods.current(), visited_on=on, **found
            )

        self.at(day, 14, action)

    def self_report(self, household, day: date, **report) -> None:
        def action():
            card = reports.cards_for(self.u["chief"], [household])[household.pk]
            reports.report(card.token, **report)
            # The page's daily limit per card is counted in the cache, which outlives a database
            # rolled back (tests load the demo again and again, replaying the same day, and the
            # same card ids on SQLite): the demo takes its own report back off the count.
            cache.delete(f"selfreport:card:{card.pk}:{timezone.localdate().isoformat()}")

        self.at(day, 20, action)

    # -------- the year

    def plan(self) -> None:
        c, ago = self.cast, self.ago
        door = {"housing_safe": True, "water_safe": True}

        # 1. A member in hospital (the seed's case): the 医保 file warns, 突发严重困难户, health and
        #    低保 measures, eliminated after half a year by assistance.
        h = c.hospital
        patient = next(p for p in c.members(h) if p.relation != HEAD and _age(p, self.today) >= 35)
        self.feed(
            ago(320),
            "wjj",
            "medical_insurance",
            [_row(patient, "个人自付医疗费用", ago(326), "脑梗死住院治疗", 46800)],
            "医保局自付费用预警",
        )
        self.visit(
            h,
            ago(319),
            "grid",
            changes=["health", "income"],
            note=f"{patient.name}住院治疗，自付医疗费用较多，家人陪护暂停务工",
        )
        self.identify(
            h,
            ago(318),
            {
                **door,
                "category": "hardship",
                "risk_types": ["illness"],
                "note": f"{patient.name}脑梗死住院，自付 4.68 万元，家庭无力承担",
            },
        )
        self.assist(
            h,
            ago(304),
            "驻村第一书记",
            [
                (
                    "health",
                    "illness",
                    "落实基本医保、大病保险、医疗救助“一站式”结算，签约家庭医生",
                    "清涧县医保局",
                    ago(290),
                    "三重保障报销后自付降至 6200 元；已签约家庭医生，每月随访",
                ),
                (
                    "safety_net",
                    "illness",
                    "申请纳入低保（因病支出型困难家庭）",
                    "清涧县民政局",
                    ago(272),
                    "经民政局审批纳入低保，按月发放低保金",
                ),
            ],
        )
        head = next(p for p in c.members(h) if p.relation == HEAD)
        self.feed(
            ago(273),
            "mzj",
            "civil_affairs",
            [_row(head, "纳入低保", ago(274), "因病支出型")],
            "民政局低保变动",
        )
        self.income(h, ago(42), "chief", 11700, transfer=4800)
        self.eliminate(h, ago(40))

        # 2. A self-report of a lost job: 脱贫不稳定户, employment measures, eliminated.
        h = c.job
        self.self_report(
            h,
            ago(291),
            hardships=["job"],
            description="家里唯一在外务工的人工地停工，没有收入了",
        )
        self.identify(
            h,
            ago(290),
            {
                **door,
                "category": "unstable",
                "risk_types": ["employment"],
                "note": "唯一劳动力务工的工地停工，家庭收入骤减",
            },
        )
        self.assist(
            h,
            ago(278),
            "村党支部书记",
            [
                (
                    "employment",
                    "employment",
                    "推荐到工业园区企业就业，参加县人社局组织的技能培训",
                    "清涧县人社局",
                    ago(258),
                    "已在园区服装加工厂稳定就业，月工资约 3200 元",
                ),
                (
                    "public_post",
                    "employment",
                    "找到稳定工作前，过渡安排到社区保洁公益岗位",
                    "秀延街道办",
                    ago(274),
                    "已上岗社区保洁公益岗，每月补贴 800 元",
                ),
            ],
        )
        self.income(h, ago(78), "chief", 12000, transfer=1200)
        self.eliminate(h, ago(75))

        # 3. A work accident found on a visit: identified three months ago; the elimination tried
        #    now is refused (not half a year), and stays refused on the household's page.
        h = c.accident
        worker = c.worker(h)
        self.visit(
            h,
            ago(100),
            "grid",
            changes=["health", "employment"],
            situations=["hardship"],
            note=f"{worker.name}在工地务工时摔伤，腿部骨折住院，暂时不能务工",
        )
        self.identify(
            h,
            ago(99),
            {
                **door,
                "category": "hardship",
                "risk_types": ["accident"],
                "note": "务工摔伤骨折，短期内不能务工，医疗费用较多",
            },
        )
        self.assist(
            h,
            ago(88),
            "村党支部书记",
            [
                (
                    "health",
                    "accident",
                    "医疗救助，协助办理工伤认定",
                    "清涧县医保局",
                    ago(70),
                    "工伤认定完成，医疗费用由工伤保险支付",
                ),
                (
                    "social",
                    "accident",
                    "联系县慈善协会临时救助",
                    "秀延街道办",
                    ago(80),
                    "发放慈善救助金 3000 元",
                ),
            ],
        )
        self.income(h, ago(6), "chief", 11000, transfer=3000)

        def refused():
            try:
                assistance.take_step(
                    self.u["grid"],
                    self.warning(c.accident),
                    "door_check",
                    acted_on=timezone.localdate(),
                    passed=True,
                    method="by_assistance",
                    housing_safe=True,
                    water_safe=True,
                )
            except ValidationError as exc:
                self.notes.append(f"风险消除（{c.accident.number}）：平台拒绝——{exc.messages[0]}")
            else:
                raise RuntimeError("演示：不满半年的风险消除应被拒绝")

        self.at(ago(3), 10, refused)

        # 4. An elderly couple on 低保 with no labour: the income check warns, identified, kept
        #    under monitoring with safety-net measures (never marked eliminated).
        h = c.elderly
        self.at(ago(200), 2, tasks.scan_nightly)
        self.identify(
            h,
            ago(198),
            {
                **door,
                "category": "unstable",
                "risk_types": ["labour", "illness"],
                "note": "老两口均丧失劳动能力，一人长期慢性病，收入仅靠低保和养老金",
            },
        )
        self.assist(
            h,
            ago(186),
            "包村干部",
            [
                (
                    "safety_net",
                    "labour",
                    "落实低保金按月足额发放，申请高龄补贴",
                    "清涧县民政局",
                    ago(176),
                    "低保金、高龄补贴按月发放到户",
                ),
                (
                    "health",
                    "illness",
                    "家庭医生签约服务，慢性病门诊用药报销",
                    "清涧县卫健局",
                    ago(170),
                    "家庭医生每月上门随访一次",
                ),
                (
                    "social",
                    "labour",
                    "社区志愿者结对，每周上门探视",
                    "幸福嘉苑社区",
                    ago(160),
                    "志愿者每周探视，帮助购买生活用品",
                ),
            ],
        )

        # 5. Last month's 医保 file: one household in review (its decision overdue), one in
        #    冯家沟 waiting for 折家坪镇's door check; one row matches no relocated person.
        h, town_h = c.bill, c.bill_town
        patient, other = c.worker(h), c.worker(town_h)
        self.feed(
            ago(30),
            "wjj",
            "medical_insurance",
            [
                _row(patient, "个人自付医疗费用", ago(38), "住院", 28600),
                _row(other, "个人自付医疗费用", ago(35), "住院", 19800),
                _row(_stranger("张某", date(1979, 4, 11)), "个人自付医疗费用", ago(36), "", 15200),
            ],
            "医保局月度筛查",
        )
        self.identify(
            h,
            ago(28),
            {**door, "category": "hardship", "risk_types": ["illness"], "note": "住院自付较多"},
            upto=2,
        )

        # 6. The income check of last month: three households just above the line; the nightly
        #    scan warns them, no door check yet (overdue).
        for household, user in zip(c.edge, ("chief", "chief", "town"), strict=True):

            def corrected(household=household, user=user):
                size = len(self.cast.members(household))
                services.record_income(
                    self.u[user],
                    household,
                    year=self.today.year - 1,
                    wage=Decimal(8600 * size - 600),
                    transfer=Decimal(600),
                )

            self.at(ago(27), 11, corrected)
        self.at(ago(25), 2, tasks.scan_nightly)

        # 7. This month's 人社 file: two job losses; one door check overdue, the other found the
        #    person back at work (不予纳入).
        a, b = c.worker(c.jobless), c.worker(c.jobless_back)
        self.feed(
            ago(18),
            "rsj",
            "hrss",
            [
                _row(a, "失业", ago(24), "企业裁员"),
                _row(b, "失业登记", ago(22), ""),
                _row(_stranger("李某", date(1986, 9, 2)), "失业", ago(23), ""),
            ],
            "人社局失业人员筛查",
        )

        def back_at_work():
            identification.take_step(
                self.u["site"],
                self.warning(c.jobless_back),
                "door_check",
                acted_on=timezone.localdate(),
                passed=False,
                note="入户核实：已在园区企业重新就业，家庭收入稳定，不予纳入",
            )

        self.at(ago(16), 10, back_at_work)

        # 8. This week: a leaking wall found on a visit, a self-report about school costs.
        self.visit(
            c.leak,
            ago(4),
            "site",
            needs_unmet=["housing"],
            note="卫生间外墙渗水，墙面开裂，已报住建部门",
        )
        self.self_report(
            c.schooling,
            ago(2),
            hardships=["schooling"],
            description="孩子在县城上高中，学费和生活费负担重",
        )

        # 9. Each past month's 监测帮扶台账 frozen on its day (the 3rd, or the next working day),
        #    by the morning task.
        for back in range(12, 0, -1):
            day = frozen.due(_months_back(self.today, back))
            if day < self.today:

                def freeze():
                    self.frozen += len(tasks.freeze_ledger())

                self.at(day, 8, freeze)


def _destination_cadre(household, users) -> str:
    if any(household.path.startswith(p) for p in scope_paths(users["grid"])):
        return f"{users['grid'].display_name}（网格员）"
    return f"{users['site'].display_name}（安置点工作人员）"
