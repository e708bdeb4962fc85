"""``anju monitoring rebuild``: recompute the visit coverage roll-up from the visits."""

from django.core.management.base import BaseCommand

from anju.monitoring import coverage


class Command(BaseCommand):
    help = "防止返贫动态监测：anju monitoring rebuild —— 按回访记录重算各单位每月回访覆盖数。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"], help="rebuild：重算回访覆盖")

    def handle(self, *args, action, **options):
        rows = coverage.rebuild()
        self.stdout.write(f"已重算回访覆盖：{rows} 行（单位 × 月份）。")
