"""Employment demo for 清涧县: jobs that reproduce the plans' employment figures, the job losses
of the monitoring story, employers, postings, job seekers and pushes.

The plans (《清涧县冯家沟集中安置点后续扶持方案》 and the other site plans) state, for five sites,
how many of the relocated poor are employed and in what (转移就业, 农业就业, 公益性岗位, 护林员 …),
and that every household with labour has someone at work. The generator gives exactly those
jobs to the sites' relocated labour as of the plans' reporting date, one worker per household
with labour first; the other 清涧 sites get one job per household with labour, as 幸福嘉苑社区's
plan says (户均稳定就业 1 人). These jobs are written in bulk (about 1,400 through ``record_job``
would take most of the demo's time) with one audit row per site; what the story needs — a lost
job, one-to-one help, a new job — goes through the services.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from anju.accounts.models import User
from anju.audit import services as audit
from anju.orgs.models import AdminUnit, Site
from anju.policies import services as policies
from anju.policies.selectors import resolve
from anju.registry.choices import WITH_LABOUR
from anju.registry.demo import AS_OF
from anju.registry.models import Person
from anju.registry.seed_sites import SITES as SEED

from . import matching, monthly, selectors, services
from .choices import POST_TYPE_WORDS
from .models import EmploymentRecord

DEMO_NOTE = "演示值：无政策文件依据，仅供演示，请按本省当年文件修改"
# Set for 陕西省 where 清涧县 has none in force; the workshop figures follow what another
# jurisdiction's plan says (presets: 运城市), so a demo checks workshops as a county would.
DEMO_PARAMETERS = [
    ("employment.labour_age_min", "16", "劳动年龄自 16 周岁"),
    ("employment.labour_age_max", "60", "劳动年龄至 60 周岁"),
    (
        "employment.workshop_local_share",
        "50",
        "参照运城市方案：帮扶车间 50% 以上岗位吸纳搬迁劳动力",
    ),
    (
        "employment.workshop_site_lifted_persons",
        "800",
        "参照运城市方案：800 人以下安置点配建帮扶车间",
    ),
]

# The plans' words for a kind of work → (就业类型, where or what, monthly income range in yuan).
SEED_WORK = {
    "转移就业": ("transfer", "", (3000, 5600)),
    "农业就业": ("farming", "安置点温室大棚", (1200, 2400)),
    "公益性岗位": ("public_post", "公益性岗位", (500, 800)),
    "公益性岗": ("public_post", "公益性岗位", (500, 800)),
    "公益性扶贫专岗": ("public_post", "公益性扶贫专岗", (600, 800)),
    "护林员": ("public_post", "生态护林员", (800, 800)),
    "保洁员": ("public_post", "村级保洁员", (500, 600)),
    "协管": ("public_post", "协管员", (600, 800)),
    "协理员": ("public_post", "协理员", (600, 800)),
    "北国枣业有限公司": ("local_enterprise", "清涧县北国枣业有限公司", (2600, 3200)),
    "自主创业": ("self_employed", "个体经营", (2000, 4000)),
}
TRANSFER = [
    ("in_province", "西安市建筑工地"),
    ("in_province", "榆林市物流公司"),
    ("in_province", "延安市餐饮企业"),
    ("outside_province", "江苏省苏州市电子厂"),
    ("outside_province", "内蒙古鄂尔多斯市煤矿"),
]
# One job per household with labour at the sites whose plans give no breakdown.
OTHER_WORK = [
    ("in_county", "清涧县工业园区企业", (2400, 3600)),
    ("local_enterprise", "陕西果业集团清涧山地苹果基地", (1800, 2400)),
    ("farming", "安置点温室大棚", (1200, 2400)),
    ("flexible", "县城零工", (1500, 2500)),
    ("public_post", "社区保洁公益岗位", (500, 800)),
]


def _say(stdout):
    return stdout.write if stdout else (lambda _msg: None)


def build(stdout=None) -> None:
    say = _say(stdout)
    county = AdminUnit.objects.get(code="610830")
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "rsj"])}
    if EmploymentRecord.objects.filter(path__startswith=county.path).exists():
        say("就业帮扶：已有数据，未重写")
        return
    set_parameters(users["admin"], AdminUnit.objects.get(code="610000"))
    rng = random.Random(2020630)
    employers = _employers(users["rsj"])
    workshop = _workshop(county, users["rsj"], employers)
    total = 0
    for site in Site.objects.filter(path__startswith=county.path).order_by("path"):
        total += _site_jobs(site, rng, workshop)
    say(f"就业记录：{total} 条（五个安置点按方案所列就业人数和类型，其余每户有劳动力的至少 1 人）")
    say(f"帮扶车间：{workshop.name}，季度监测 {_quarters(workshop, users['rsj'])} 条")
    told = _story(county, users["rsj"])
    say(f"就业帮扶：{told}")
    market = _market(county, users["rsj"], employers)
    say(f"岗位信息：{market}")
    today = timezone.localdate()
    months = [AS_OF.strftime("%Y-%m"), *monthly.last_months(today.strftime("%Y-%m"), 13)]
    for month in months:
        monthly.compute(month, county=county)
    say(f"就业月报：已计算 {len(months)} 个月")


def set_parameters(admin, province) -> None:
    """Labour ages and workshop figures for 陕西省, where 清涧县 has none: demo values,
    labelled as such."""
    start = date(2019, 1, 1)
    for key, value, meaning in DEMO_PARAMETERS:
        if resolve(key, province, timezone.localdate()).value is not None:
            continue
        policies.set_value(
            admin,
            key=key,
            unit=province,
            valid_from=start,
            value=value,
            source=f"{DEMO_NOTE}（{meaning}）",
        )


def _age(person, on: date) -> int:
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _workers(site, category: str | None = None) -> tuple[list, list]:
    """(one worker per household with labour, the other labour): in each household the first
    member able to work (the head, mostly), as the monitoring story names its workers."""
    persons = Person.objects.filter(
        household__site=site, labour_skill__in=sorted(WITH_LABOUR)
    ).select_related("household")
    if category:
        persons = persons.filter(household__category=category)
    by_household: dict[int, list] = {}
    for p in sorted(persons, key=lambda p: (p.household.number, p.id)):
        if _age(p, AS_OF) >= 18:
            by_household.setdefault(p.household_id, []).append(p)
    first = [members[0] for members in by_household.values()]
    rest = [p for members in by_household.values() for p in members[1:]]
    return first, rest


def _job(person, kind, employer, incomes, rng, workshop=None) -> EmploymentRecord:
    start = date(2019, 1, 1) + timedelta(days=rng.randrange((AS_OF - date(2019, 1, 1)).days - 30))
    low, high = incomes
    income = Decimal(rng.randrange(low, high + 1, 100) if high > low else low)
    enterprise = kind in ("local_enterprise", "in_county", "in_province", "outside_province")
    return EmploymentRecord(
        person=person,
        household=person.household,
        kind=kind,
        employer=employer,
        started_on=start,
        monthly_income=income,
        contract_months=rng.choice([12, 24, 36]) if enterprise else None,
        social_insurance=enterprise and rng.random() < 0.7,
        workshop=workshop if kind == "workshop" else None,
        post_type=POST_TYPE_WORDS.get(employer, "other") if kind == "public_post" else "",
        recorded_by="县人社局（演示数据）",
        path=person.household.path,
    )


def _site_jobs(site, rng, workshop) -> int:
    fig = SEED.get(site.name, {})
    breakdown = fig.get("employed_breakdown")
    rows = []
    if breakdown:  # the plans count the relocated poor (搬迁脱贫户) only
        first, rest = _workers(site, "lifted")
        labels = [label for label, n in breakdown.items() for _ in range(n)]
        rng.shuffle(labels)
        chosen = (first + rest)[: len(labels)]
        if len(chosen) < len(labels):
            raise RuntimeError(f"演示：{site.name} 劳动力不足 {len(labels)} 人")
        for person, label in zip(chosen, labels, strict=True):
            kind, employer, incomes = SEED_WORK[label]
            if kind == "transfer":
                kind, employer = rng.choice(TRANSFER)
            rows.append(_job(person, kind, employer, incomes, rng))
        others, _rest = _workers(site, "co_relocated")
        source = f"搬迁脱贫户按《{fig['plan_title']}》所列就业人数和类型，同步搬迁户每户 1 人"
    else:
        others, _rest = _workers(site)
        source = "有劳动力的搬迁户每户至少 1 人就业"
    serves = workshop.sites.filter(pk=site.pk).exists()
    work = OTHER_WORK + ([("workshop", workshop.name, (1800, 2600))] if serves else [])
    for person in others:
        kind, employer, incomes = rng.choice(work)
        rows.append(_job(person, kind, employer, incomes, rng, workshop))
    if not rows:
        return 0
    with transaction.atomic():
        EmploymentRecord.objects.bulk_create(rows, batch_size=1000)
        audit.record(
            None,
            audit.AuditLog.Action.CREATE,
            object_type="employment.employmentrecord",
            object_repr=f"{site.name} 就业记录 {len(rows)} 条",
            unit_path=site.path,
            note=f"演示数据：批量写入，{source}",
        )
    return len(rows)


def _story(county, rsj) -> str:
    """The job losses the monitoring story tells, on the same days: the only worker whose site
    stopped work (self-reported, back at work a month later), and this month's two losses from
    the 人社局 file — one still out of work with one-to-one help, one already back."""
    from anju.monitoring.demo import Cast

    cast = Cast.pick(county)
    today = timezone.localdate()

    def ago(days):
        return today - timedelta(days=days)

    def lose(household, on, helper):
        worker = cast.worker(household)  # the person the story (and the 人社局 file) names
        job = EmploymentRecord.objects.filter(person=worker, ended_on=None).first()
        if job is None:  # a worker the bulk jobs did not reach: their job is on record now
            job = services.record_job(
                rsj, worker, kind="in_province", employer="西安市建筑工地", started_on=ago(400)
            )
        services.end_job(rsj, job, ended_on=on, reason="lost", helper=helper, scan=False)
        return worker

    worker = lose(cast.job, ago(292), "秀延街道办就业专干")
    services.record_job(
        rsj,
        worker,
        kind="local_enterprise",
        employer="清涧县工业园区服装加工厂",
        started_on=ago(258),
        monthly_income=3200,
        contract_months=12,
        social_insurance=True,
    )
    still_out = lose(cast.jobless, ago(24), "秀延街道办就业专干")
    back = lose(cast.jobless_back, ago(22), "幸福嘉苑社区网格员")
    services.record_job(
        rsj,
        back,
        kind="in_county",
        employer="清涧县工业园区企业",
        started_on=ago(17),
        monthly_income=2800,
    )
    services.save_seeker(
        rsj,
        still_out,
        wanted="普工、缝纫工",
        where="county",
        min_pay=2500,
        skills="缝纫",
    )
    return f"失业登记 3 人（{worker.name}、{back.name} 已再就业，{still_out.name} 一对一帮扶中）"


# (name, 统一社会信用代码 body without its check character, contact, address)
EMPLOYERS = [
    ("清涧县北国枣业有限公司", "91610830MA7012345", "王经理", "清涧县工业园区"),
    ("陕西果业集团清涧有限公司", "91610830MA7023456", "刘经理", "清涧县宽州镇"),
    ("清涧县工业园区服装加工厂", "91610830MA7034567", "张厂长", "清涧县工业园区"),
    ("清涧县幸福物业服务有限公司", "91610830MA7045678", "李经理", "清涧县秀延街道"),
    ("清涧县金盆湾果蔬专业合作社", "93610830MA7056789", "高社长", "清涧县李家塔镇"),
    ("苏州某电子科技有限公司", "91320500MA1067890", "周主管", "江苏省苏州市"),
]


def _employers(rsj) -> dict:
    return {
        name: services.create_employer(
            rsj,
            name=name,
            credit_code=body + uscc.calc_check_digit(body),
            contact=contact,
            address=address,
        )
        for name, body, contact, address in EMPLOYERS
    }


def _workshop(county, rsj, employers):
    """The garment workshop of the industrial park (the monitoring story's 园区服装加工厂),
    serving the two sites of 幸福嘉苑社区, piece work at home allowed."""
    sites = Site.objects.filter(
        path__startswith=county.path, name__in=["工业园区集中安置点", "和谐小区集中安置点"]
    )
    return services.create_workshop(
        rsj,
        name="幸福嘉苑服装加工帮扶车间",
        kind="workshop",
        sites=list(sites),
        employer=employers["清涧县工业园区服装加工厂"],
        address="清涧县工业园区",
        jobs=120,
        opened_on=date(2019, 5, 6),
        home_based=True,
    )


def _quarters(workshop, rsj) -> int:
    """This quarter's monitoring record and the three before: the relocated workers counted
    from the records, the other workers from the town around."""
    from . import quarters

    today = timezone.localdate()
    year, q = int(quarters.of(today)[:4]), int(quarters.of(today)[-1])
    made = 0
    for _ in range(4):  # this quarter (due before its last month) and the three before
        period = f"{year}-Q{q}"
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
        end = min(quarters.bounds(period)[1], today)
        relocated = (
            EmploymentRecord.objects.filter(workshop=workshop, started_on__lte=end)
            .exclude(ended_on__lte=end)
            .count()
        )
        services.record_quarter(
            rsj,
            workshop,
            period=period,
            total_workers=relocated + 25,
            relocated_workers=relocated,
            wages_paid=Decimal(2200 * (relocated + 25) * 3),
            note="演示数据",
        )
        made += 1
    return made


def _market(county, rsj, employers) -> str:
    """Open postings (and one expired), seekers from the sites' labour without work, and
    pushes of the best matches followed part of the way."""
    today = timezone.localdate()
    open_from, open_to = today - timedelta(days=20), today + timedelta(days=70)
    postings = [
        (
            "陕西果业集团清涧有限公司",
            "山地苹果园管护工",
            40,
            {"age_min": 18, "age_max": 60},
            "宽州镇牛家湾村千亩苹果基地",
            "county",
            "daily",
            120,
            None,
            "local",
            "按天计酬，每年约 4 个月",
            False,
        ),
        (
            "清涧县北国枣业有限公司",
            "红枣分拣包装工",
            10,
            {"age_min": 18, "age_max": 55},
            "清涧县工业园区",
            "county",
            "monthly",
            2800,
            3200,
            "county_park",
            "包午餐",
            False,
        ),
        (
            "清涧县工业园区服装加工厂",
            "缝纫工",
            20,
            {"age_min": 18, "age_max": 50},
            "清涧县工业园区",
            "county",
            "monthly",
            3000,
            3800,
            "county_park",
            "计件另有奖励",
            False,
        ),
        (
            "清涧县幸福物业服务有限公司",
            "小区保洁员",
            6,
            {"age_max": 60},
            "幸福嘉苑社区",
            "county",
            "monthly",
            2000,
            None,
            "local",
            "",
            False,
        ),
        (
            "清涧县金盆湾果蔬专业合作社",
            "大棚种植工",
            20,
            {"age_min": 18, "age_max": 65},
            "李家塔镇前韩家山村",
            "county",
            "daily",
            100,
            None,
            "local",
            "",
            False,
        ),
        (
            "苏州某电子科技有限公司",
            "电子装配普工",
            50,
            {"age_min": 18, "age_max": 40, "education_min": "初中"},
            "江苏省苏州市",
            "outside",
            "monthly",
            5000,
            6500,
            "paired_city",
            "包吃住，缴纳五险",
            False,
        ),
        (
            "清涧县工业园区服装加工厂",
            "手工缝制（居家计件）",
            15,
            {},
            "在家完成，工厂收件",
            "county",
            "piece",
            1500,
            None,
            "county_park",
            "",
            True,
        ),
    ]
    made = []
    for (
        employer,
        title,
        heads,
        needs,
        place,
        area,
        pay_kind,
        low,
        high,
        source,
        benefits,
        home,
    ) in postings:
        made.append(
            services.create_posting(
                rsj,
                employers[employer],
                title=title,
                head_count=heads,
                place=place,
                area=area,
                pay_kind=pay_kind,
                pay_min=Decimal(low),
                pay_max=Decimal(high) if high else None,
                benefits=benefits,
                home_based=home,
                valid_from=open_from,
                valid_to=open_to,
                source=source,
                **needs,
            )
        )
    services.create_posting(
        rsj,
        employers["清涧县北国枣业有限公司"],
        title="季节性采摘工（已过期）",
        head_count=30,
        place="清涧县各红枣基地",
        pay_kind="daily",
        pay_min=Decimal(100),
        valid_from=today - timedelta(days=120),
        valid_to=today - timedelta(days=60),
        source="local",
    )
    seekers = _seekers(county, rsj)
    pushed = 0
    for posting in made[:3]:
        for match in matching.seekers_for(posting, selectors.seekers(rsj), limit=2):
            item = services.push(rsj, posting, match.seeker)
            pushed += 1
            if pushed % 3 == 1:
                services.advance_push(rsj, item, status="contacted")
            elif pushed % 3 == 2:
                services.advance_push(rsj, item, status="contacted")
                services.advance_push(rsj, item, status="interviewed")
    batch = services.refresh_recommendations(rsj, top=10)
    return (
        f"用工单位 {len(employers)} 家，在招岗位 {len(made)} 个，求职登记 {seekers} 人，"
        f"推送 {pushed} 次，批量推荐 {batch.rows} 条"
    )


WISHES = [
    ("普工", "county", 2500, False, False, ""),
    ("果园管护、大棚种植", "county", 1500, False, False, "果树修剪"),
    ("外出务工", "any", 4500, False, False, "电焊"),
    ("居家手工活", "county", None, True, False, "缝纫"),
    ("保洁、做饭", "county", 1800, False, True, ""),
]


def _seekers(county, rsj) -> int:
    """The relocated labour of the plans' sites that the plans count without work: each with
    a wish, as a 就业需求清单 would hold them."""
    employed = EmploymentRecord.objects.filter(ended_on=None).values("person")
    idle = (
        Person.objects.filter(
            path__startswith=county.path,
            household__category="lifted",
            labour_skill__in=sorted(WITH_LABOUR),
            birth_date__gt=date(1966, 12, 31),
            birth_date__lte=date(2006, 1, 1),
        )
        .exclude(pk__in=employed)
        .exclude(seeking__isnull=False)
        .order_by("path", "id")[:24]
    )
    count = 0
    for i, person in enumerate(idle):
        wanted, where, pay, home, part, skills = WISHES[i % len(WISHES)]
        services.save_seeker(
            rsj,
            person,
            wanted=wanted,
            where=where,
            min_pay=pay,
            home_based_only=home,
            part_time=part,
            skills=skills,
        )
        count += 1
    return count
