"""``anju import registry FILE [--dry-run] [--user NAME]``: the registry import from the shell."""

from django.core.management.base import BaseCommand, CommandError

from anju.accounts.models import User
from anju.registry.services import import_registry


class Command(BaseCommand):
    help = "导入台账文件（.xlsx/.xls/.csv）：anju import registry 文件 [--dry-run] [--user 用户名]"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["registry"], help="导入的台账类型")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", help="以该账号的权限和管辖范围导入；不填则以系统身份导入")

    def handle(self, *args, kind, file, dry_run=False, user=None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"账号「{user}」不存在或已停用。")

        def progress(rows):
            self.stderr.write(f"\r已处理 {rows} 行", ending="")

        outcome = import_registry(actor, file, dry_run=dry_run, progress=progress)
        self.stderr.write("")
        if outcome.errors:
            for e in outcome.errors:
                where = f"第 {e.row} 行" if e.row else "文件"
                self.stdout.write(f"{where}\t{e.column}\t{e.value}\t{e.message}")
            raise CommandError(f"发现 {len(outcome.errors)} 处错误，整份文件未导入。")
        prefix = "试导入（未写入）：" if dry_run else "导入完成："
        self.stdout.write(prefix + outcome.describe())
