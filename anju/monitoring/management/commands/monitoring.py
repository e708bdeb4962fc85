"""``anju monitoring rebuild`` and ``anju monitoring scan --period YYYY-MM [--unit CODE]``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anju.core import periods
from anju.monitoring import coverage, scan
from anju.orgs.models import AdminUnit


class Command(BaseCommand):
    help = (
        "防止返贫动态监测：rebuild —— 按回访记录重算各单位每月回访覆盖数；"
        "scan —— 按预警规则扫描一个月份（可限定单位），生成或补充预警；"
        "freeze —— 封存一个月份的三类人员监测帮扶台账。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "scan", "freeze"])
        parser.add_argument("--period", help="scan、freeze：月份，如 2026-11；默认本月")
        parser.add_argument("--unit", help="scan：行政区划代码，只扫描该单位；默认全部")

    def handle(self, *args, action, **options):
        if action == "rebuild":
            rows = coverage.rebuild()
            self.stdout.write(f"已重算回访覆盖：{rows} 行（单位 × 月份）。")
            return
        try:
            period = periods.parse(options.get("period") or periods.current(), "--period")
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if action == "freeze":
            from anju.monitoring import frozen

            month = frozen.freeze(period)
            self.stdout.write(
                f"{periods.label(period)}三类人员监测帮扶台账已封存：{month.rows} 户。"
            )
            return
        unit = None
        if options.get("unit"):
            unit = AdminUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有区划代码为「{options['unit']}」的单位。")
        outcome = scan.scan(period, unit, say=self.stdout.write)
        for note in outcome.skipped:
            self.stdout.write(f"未运行的规则：{note}")
        self.stdout.write(
            f"{periods.label(period)}扫描完成：{outcome.chunks} 个县（区），"
            f"新预警 {outcome.warnings} 户，新信号 {outcome.signals} 条。"
        )
