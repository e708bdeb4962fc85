from django.core.management.base import BaseCommand

from anju.policies.presets import load_presets


class Command(BaseCommand):
    help = "载入五个样本地区的政策参数预置（已有的不重复添加）。"

    def handle(self, *args, **options):
        self.stdout.write(f"新增 {load_presets()} 条参数值。")
