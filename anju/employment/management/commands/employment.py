"""``anju employment rollup [--period YYYY-MM] [--months N] [--unit CODE]``: the monthly
employment figures (家庭就业、零就业家庭 per place and month), as the nightly task computes them.
``anju employment match [--site NAME] [--top 10]``: the batch recommendations (批量推荐),
written set-based for one site or for every site."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anju.core import periods
from anju.employment import monthly, services
from anju.orgs.models import AdminUnit, Site


class Command(BaseCommand):
    help = (
        "就业帮扶：rollup —— 按就业记录和户籍计算某月（默认本月）各安置点、各单位的有劳动力户数、"
        "未达家庭就业要求户数、零就业家庭户数和按类型的就业人数，供月报与趋势读取；可重复运行。"
        "match —— 为一个安置点（或全部）的求职人员批量匹配在招岗位，每人保留得分最高的若干个。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rollup", "match"])
        parser.add_argument("--period", help="rollup：月份，如 2026-11；默认本月")
        parser.add_argument(
            "--months", type=int, default=1, help="rollup：连同此前共几个月，默认 1"
        )
        parser.add_argument("--unit", help="rollup：县级行政区划代码，只计算该县；默认全部")
        parser.add_argument("--site", help="match：安置点名称；默认全部安置点")
        parser.add_argument(
            "--top", type=int, default=services.TOP_DEFAULT, help="match：每人推荐岗位数"
        )

    def handle(self, *args, action, **options):
        if action == "match":
            return self.match(options.get("site"), options["top"])
        try:
            period = periods.parse(options.get("period") or periods.current(), "--period")
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if not 1 <= options["months"] <= 120:
            raise CommandError("--months 应在 1 到 120 之间。")
        county = None
        if options.get("unit"):
            county = AdminUnit.objects.filter(code=options["unit"]).first()
            if county is None:
                raise CommandError(f"没有区划代码为「{options['unit']}」的单位。")
        for month in monthly.last_months(period, options["months"]):
            outcome = monthly.compute(month, county=county)
            self.stdout.write(
                f"{periods.label(month)}就业统计已计算：{outcome.counties} 个县（区），"
                f"{outcome.rows} 行。"
            )

    def match(self, site, top):
        place = None
        if site:
            found = list(Site.objects.filter(name=site.strip())[:2])
            if not found:
                raise CommandError(f"没有名为「{site}」的安置点。")
            if len(found) > 1:
                raise CommandError(f"名为「{site}」的安置点不止一个，请在页面上按安置点刷新。")
            place = found[0]
        try:
            batch = services.refresh_recommendations(None, site=place, top=top)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            f"{batch.batch_on} 批量推荐完成（{place.name if place else '全部安置点'}）："
            f"{batch.seekers} 名求职人员，共 {batch.rows} 条推荐。"
        )
