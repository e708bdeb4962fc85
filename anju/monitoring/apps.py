from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "anju.monitoring"
    label = "monitoring"
    verbose_name = "防止返贫动态监测"

    def ready(self) -> None:
        from anju.core import importers, paths

        from . import cli, coverage

        paths.watch_moves(coverage.moving)
        importers.register(cli.FEED)
