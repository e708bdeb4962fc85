"""``anju monitoring rebuild``, ``anju monitoring scan --period YYYY-MM [--unit CODE]``,
``anju monitoring freeze --period YYYY-MM`` and ``anju monitoring export --user NAME --out FILE``
(the national system's exchange sheets)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anju.core import periods
from anju.monitoring import coverage, scan
from anju.orgs.models import AdminUnit


class Command(BaseCommand):
    help = (
        "防止返贫动态监测：rebuild —— 按回访记录重算各单位每月回访覆盖数；"
        "scan —— 按预警规则扫描一个月份（可限定单位），生成或补充预警；"
        "freeze —— 封存一个月份的三类人员监测帮扶台账；"
        "export —— 以某账号的范围导出全国防返贫监测信息系统交换表（户信息、监测对象信息）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "scan", "freeze", "export"])
        parser.add_argument("--user", help="export：以该账号的权限和管辖范围导出")
        parser.add_argument("--out", help="export：写入的 .xlsx 文件")
        parser.add_argument("--period", help="scan、freeze：月份，如 2026-11；默认本月")
        parser.add_argument("--unit", help="scan：行政区划代码，只扫描该单位；默认全部")

    def handle(self, *args, action, **options):
        if action == "rebuild":
            rows = coverage.rebuild()
            self.stdout.write(f"已重算回访覆盖：{rows} 行（单位 × 月份）。")
            return
        if action == "export":
            return self.export(options.get("user"), options.get("out"))
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

    def export(self, username, out):
        from django.core.exceptions import PermissionDenied

        from anju.accounts.models import User
        from anju.core.xlsx import write_book
        from anju.monitoring import exchange

        if not username or not out:
            raise CommandError("导出交换表须指定 --user 账号 和 --out 文件.xlsx。")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号「{username}」不存在或已停用。")
        try:
            sheets = exchange.sheets(user)
        except PermissionDenied as exc:
            raise CommandError(f"账号「{username}」：{exc}") from None
        except exchange.LayoutError as exc:
            raise CommandError(str(exc)) from None
        with open(out, "wb") as handle:
            write_book(handle, sheets)
        exchange.record_export(user, len(sheets[0][2]))
        self.stdout.write(
            f"已导出 {out}：户信息 {len(sheets[0][2])} 户，监测对象信息 {len(sheets[1][2])} 人。"
        )
