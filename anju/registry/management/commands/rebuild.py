"""``anju rebuild aggregates [--unit CODE]``: recompute the registry roll-ups from the registry."""

import time

from django.core.management.base import BaseCommand, CommandError

from anju.orgs.models import NODE_MODELS, AdminUnit
from anju.registry import rollups


def node_of(ref: str):
    """A unit by its administrative code (610830) or any node by its key (u12, s3)."""
    if ref[:1] in NODE_MODELS and ref[1:].isdigit():
        node = NODE_MODELS[ref[0]].objects.filter(pk=int(ref[1:])).first()
    else:
        node = AdminUnit.objects.filter(code=ref).first()
    if node is None:
        raise CommandError(
            f"找不到单位「{ref}」：请填写区划代码（如 610830）或单位键（如 u12、s3）。"
        )
    return node


class Command(BaseCommand):
    help = "重建统计汇总表：anju rebuild aggregates [--unit 区划代码或单位键]"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["aggregates"], help="要重建的内容")
        parser.add_argument("--unit", help="只重建该单位及其下级；不填则全部重建")

    def handle(self, *args, what, unit=None, **options):
        node = node_of(unit) if unit else None
        if node is not None and not rollups.is_rollup_node(node.path):
            raise CommandError(
                f"「{node.name}」是网格或楼栋，不单独汇总：请指定其所在安置点或单位。"
            )
        started = time.perf_counter()
        counts = rollups.rebuild(node.path if node else None)
        scope = f"「{node.name}」及其下级" if node else "全部单位"
        self.stdout.write(
            f"已重建{scope}的统计汇总：户汇总 {counts[rollups.HOUSEHOLDS.name]} 行，"
            f"年龄汇总 {counts[rollups.AGES.name]} 行，文化与劳动力汇总 {counts[rollups.SKILLS.name]} 行，"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
