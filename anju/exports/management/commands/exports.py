"""``anju exports clean``: end export jobs whose worker died and remove expired files."""

from django.core.management.base import BaseCommand

from anju.exports import services


class Command(BaseCommand):
    help = "导出任务：anju exports clean —— 结束进程中断的导出任务，清理超过保留天数的文件。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["clean"], help="clean：清理")

    def handle(self, *args, action, **options):
        changed = services.clean()
        self.stdout.write(f"已处理 {changed} 个导出任务。")
