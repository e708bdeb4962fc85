"""``anju import registry FILE [--dry-run] [--confirm-warnings] [--user NAME]`` and
``anju import feed FILE --department CODE --period YYYY-MM [--dry-run] [--user NAME]``.

Every refusal is one Chinese line on stderr and a non-zero exit (2: the command cannot run as
asked; 1: the file has errors; 3: the file has warnings to confirm), never a traceback."""

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand

from anju.accounts.models import User
from anju.core import importers
from anju.registry.reading import SUFFIXES
from anju.registry.services import import_registry


class Refused(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class Command(BaseCommand):
    Refused = Refused  # for the kinds other apps register (core.importers)
    help = (
        "导入台账文件（.xlsx/.xls/.csv）：anju import registry 文件 [--dry-run] "
        "[--confirm-warnings] [--user 用户名]"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            choices=["registry", *importers.KINDS],
            help="registry：搬迁户台账；"
            + "；".join(f"{k.name}：{k.help}" for k in importers.KINDS.values()),
        )
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument(
            "--confirm-warnings",
            action="store_true",
            help="已核对警告（如地区码在出生年份尚未启用的身份证号），确认导入",
        )
        parser.add_argument("--user", help="以该账号的权限和管辖范围导入；不填则以系统身份导入")
        for kind in importers.KINDS.values():
            for flag, kwargs in kind.arguments:
                parser.add_argument(flag, **kwargs)

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except Refused as exc:
            self.stderr.write(str(exc))
            sys.exit(exc.code)

    def handle(self, *args, kind, file, dry_run=False, confirm_warnings=False, user=None, **opts):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise Refused(f"账号「{user}」不存在或已停用，未导入。")
        path = Path(file)
        if path.suffix.lower() not in SUFFIXES:
            raise Refused(f"只支持 .xlsx、.xls 和 .csv 文件：{path.name}")
        if not path.is_file():
            raise Refused(f"文件不存在：{file}")

        if kind != "registry":
            return importers.KINDS[kind].handle(self, actor, path, user, dry_run, opts)

        def progress(rows):
            self.stderr.write(f"\r已处理 {rows} 行", ending="")

        try:
            outcome = import_registry(
                actor,
                path,
                dry_run=dry_run,
                confirm_warnings=confirm_warnings,
                progress=progress,
            )
        except PermissionDenied:
            raise Refused(f"账号「{user}」的角色无权导入台账，未导入。") from None
        self.stderr.write("")
        for w in outcome.warnings:
            where = f"第 {w.row} 行" if w.row else "文件"
            self.stdout.write(f"警告\t{where}\t{w.column}\t{w.value}\t{w.message}")
        if outcome.errors:
            for e in outcome.errors:
                where = f"第 {e.row} 行" if e.row else "文件"
                self.stdout.write(f"{where}\t{e.column}\t{e.value}\t{e.message}")
            raise Refused(f"发现 {len(outcome.errors)} 处错误，整份文件未导入。", 1)
        if outcome.needs_confirmation and not dry_run:
            raise Refused(
                f"有 {len(outcome.warnings)} 条警告，未导入；核对无误后加 --confirm-warnings 再导入。",
                3,
            )
        prefix = "试导入（未写入）：" if dry_run else "导入完成："
        self.stdout.write(prefix + outcome.describe())

