"""``anju import feed FILE --department CODE --period YYYY-MM [--dry-run] [--user NAME]``:
a department's screening file, registered with the import command (``core.importers``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from anju.core import importers

from .feeds import DEPARTMENTS, import_feed


def refuse_errors(command, errors) -> None:
    """Every error of a refused file, one line each (row, column, value, problem), then the
    refusal."""
    if not errors:
        return
    for e in errors:
        where = f"第 {e.row} 行" if e.row else "文件"
        command.stdout.write(f"{where}\t{e.column}\t{e.value}\t{e.message}")
    raise command.Refused(f"发现 {len(errors)} 处错误，整份文件未导入。", 1)


def import_feed_command(command, actor, path, user, dry_run, options) -> None:
    refused = command.Refused  # one Chinese line and an exit code, never a traceback
    department, period = options.get("department"), options.get("period")
    if not department or not period:
        raise refused(
            "导入部门筛查数据须指定 --department 部门代码 和 --period 月份（如 2026-11）。"
        )
    try:
        outcome = import_feed(
            actor, path, path.name, department=department, period=period, dry_run=dry_run
        )
    except PermissionDenied as exc:
        raise refused(str(exc) if actor is None else f"账号「{user}」：{exc}") from None
    except ValidationError as exc:
        raise refused("；".join(exc.messages)) from None
    out = command.stdout
    refuse_errors(command, outcome.errors)
    for u in outcome.unmatched:
        out.write(f"未匹配\t第 {u['row']} 行\t{u['id_number']}\t{u['name']}")
    prefix = "试导入（未写入）：" if dry_run else "导入完成："
    out.write(
        f"{prefix}{outcome.rows} 行，匹配搬迁人口 {outcome.matched} 行，"
        f"未匹配 {len(outcome.unmatched)} 行（已列出，未导入）。"
    )


FEED = importers.Kind(
    name="feed",
    help="部门筛查数据（身份证号、姓名、指标、数值、发生日期、备注）",
    handle=import_feed_command,
    arguments=[
        (
            "--department",
            {"help": "feed：部门代码：" + "、".join(f"{c}（{n}）" for c, n in DEPARTMENTS)},
        ),
        ("--period", {"help": "feed：数据所属月份，如 2026-11"}),
    ],
)


def import_national_command(command, actor, path, user, dry_run, options) -> None:
    from . import exchange

    refused = command.Refused
    try:
        outcome = exchange.import_file(actor, path, path.name, dry_run=dry_run)
    except PermissionDenied as exc:
        raise refused(f"账号「{user}」：{exc}") from None
    out = command.stdout
    refuse_errors(command, outcome.errors)
    for u in outcome.unmatched:
        out.write(f"非搬迁户\t第 {u['row']} 行\t{u['id_number']}\t{u['name']}")
    for u in outcome.members_missing:
        out.write(f"台账无此成员\t第 {u['row']} 行\t{u['id_number']}\t{u['name']}")
    out.write(("试导入（未写入）：" if dry_run else "导入完成：") + outcome.describe())


NATIONAL = importers.Kind(
    name="national",
    help="全国防返贫监测信息系统导出的户信息、监测对象信息",
    handle=import_national_command,
)
