"""``anju quality check [--unit CODE]``: the data quality checks, run here and now."""

from django.core.management.base import BaseCommand, CommandError

from anju.orgs.models import NODE_MODELS, AdminUnit
from anju.registry import quality


def unit_path(code: str) -> str:
    """A unit by its 区划代码 (610830) or a node by its key (u12, s3)."""
    unit = AdminUnit.objects.filter(code=code).first()
    if unit is not None:
        return unit.path
    model = NODE_MODELS.get(code[:1])
    node = model.objects.filter(pk=int(code[1:])).first() if model and code[1:].isdigit() else None
    if node is None:
        raise CommandError(f"没有区划代码或单位键为「{code}」的单位。")
    return node.path


class Command(BaseCommand):
    help = "数据质量检查：anju quality check [--unit 区划代码或单位键]，不填单位则检查全部。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check"], help="check：立即检查并保存结果")
        parser.add_argument(
            "--unit", default="", help="区划代码（如 610830）或单位键（如 u12、s3）"
        )

    def handle(self, *args, action, unit="", **options):
        path = unit_path(unit) if unit else ""
        run = quality.check_now(path, reason="cli")
        if run is None:
            raise CommandError("该单位的数据质量检查正在进行，请稍后再试。")
        if run.status != run.Status.DONE:
            raise CommandError(f"检查失败，原有结果保持不变：{run.error}")
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"「{run.unit_name}」数据质量检查完成，用时 {seconds:.1f} 秒：")
        for code, label in quality.CHECKS.items():
            self.stdout.write(f"  {label}：{run.counts.get(code, 0)} 条")
        self.stdout.write(f"  合计：{sum(run.counts.values())} 条")
