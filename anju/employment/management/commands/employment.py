"""``anju employment match [--site NAME] [--top 10]``: the batch recommendations (批量推荐),
written set-based for one site or for every site."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anju.employment import services
from anju.orgs.models import Site


class Command(BaseCommand):
    help = "就业帮扶：match —— 为一个安置点（或全部）的求职人员批量匹配在招岗位，每人保留得分最高的若干个。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["match"])
        parser.add_argument("--site", help="安置点名称；默认全部安置点")
        parser.add_argument("--top", type=int, default=services.TOP_DEFAULT, help="每人推荐岗位数")

    def handle(self, *args, action, site=None, top=services.TOP_DEFAULT, **options):
        place = None
        if site:
            found = list(Site.objects.filter(name=site.strip())[:2])
            if not found:
                raise CommandError(f"没有名为「{site}」的安置点。")
            if len(found) > 1:
                raise CommandError(f"名为「{site}」的安置点不止一个，请在页面上按安置点刷新。")
            place = found[0]
        try:
            batch = services.refresh_recommendations(None, site=place, top=top)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            f"{batch.batch_on} 批量推荐完成（{place.name if place else '全部安置点'}）："
            f"{batch.seekers} 名求职人员，共 {batch.rows} 条推荐。"
        )
