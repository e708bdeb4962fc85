from django.core.management import call_command
from django.core.management.base import BaseCommand

from anju.core import demo


class Command(BaseCommand):
    help = "载入演示数据：五个样本地区的单位、安置点、每个角色一个演示账号与政策参数预置（可重复运行）。"

    def handle(self, *args, **options):
        demo.run(self.stdout)
        call_command("quality", "check", stdout=self.stdout)  # the quality page shows findings
