"""``anju employment rollup [--period YYYY-MM] [--months N] [--unit CODE]``: the monthly
employment figures (家庭就业、零就业家庭 per place and month), as the nightly task computes them."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anju.core import periods
from anju.employment import monthly
from anju.orgs.models import AdminUnit


class Command(BaseCommand):
    help = (
        "就业帮扶：rollup —— 按就业记录和户籍计算某月（默认本月）各安置点、各单位的有劳动力户数、"
        "未达家庭就业要求户数、零就业家庭户数和按类型的就业人数，供月报与趋势读取；可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rollup"])
        parser.add_argument("--period", help="月份，如 2026-11；默认本月")
        parser.add_argument("--months", type=int, default=1, help="连同此前共几个月，默认 1")
        parser.add_argument("--unit", help="县级行政区划代码，只计算该县；默认全部")

    def handle(self, *args, action, **options):
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
