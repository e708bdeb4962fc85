from django.core.management import call_command
from django.core.management.base import BaseCommand

from anju.core import demo

SKIPPED = (
    "» 数据库已有数据，未重新载入演示数据（要重新载入请用 scripts/serve --reset，会清空数据库）"
)


def database_has_data() -> bool:
    """A database with any account or organisation unit is someone's: the demo stays out of it."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    return get_user_model().objects.exists() or apps.get_model("orgs", "AdminUnit").objects.exists()


class Command(BaseCommand):
    help = (
        "载入演示数据：五个样本地区的单位、安置点、每个角色一个演示账号与政策参数预置。"
        "只载入空数据库；--reset 先清空数据库再载入。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="先清空数据库（全部数据），再载入演示数据"
        )

    def handle(self, *args, **options):
        if options["reset"]:
            self.stdout.write("» 清空数据库，重新载入演示数据")
            call_command("flush", interactive=False, verbosity=0)
        elif database_has_data():
            # Loading again would put back demo rows a user edited or deleted.
            self.stdout.write(SKIPPED)
            return
        demo.run(self.stdout)
        call_command("quality", "check", stdout=self.stdout)  # the quality page shows findings
