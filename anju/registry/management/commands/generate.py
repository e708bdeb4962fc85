"""``anju generate --persons N --counties K [--provinces P] [--seed S] [--append | --reset]``.

Builds a national-scale test registry (PostgreSQL only). See ``anju/registry/generate.py``.
"""

from django.core.management.base import BaseCommand, CommandError

from anju.registry.generate import GenerateError, generate


class Command(BaseCommand):
    help = (
        "生成全国规模的测试台账（仅 PostgreSQL）：anju generate --persons 人数 --counties 县数 "
        "[--provinces 省数] [--seed 数字] [--append | --reset]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="生成的人数")
        parser.add_argument("--counties", type=int, required=True, help="分布到多少个县")
        parser.add_argument(
            "--provinces", type=int, help="分布到多少个省（默认约每 15 个县一个省）"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机数起点：同一数字生成同样的数据")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--append", action="store_true", help="已有生成数据时，追加到新的县")
        group.add_argument("--reset", action="store_true", help="先删除已生成的数据（只删生成的）")

    def handle(self, *args, persons, counties, provinces=None, seed=1, **options):
        mode = "append" if options["append"] else "reset" if options["reset"] else "new"
        try:
            result = generate(
                persons,
                counties,
                provinces=provinces,
                seed=seed,
                mode=mode,
                say=self.stdout.write,
            )
        except GenerateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"完成：{result.households:,} 户 {result.persons:,} 人，{len(result.counties)} 个县，"
            f"用时 {result.seconds:.1f} 秒，{result.rate:,.0f} 人/秒"
        )
