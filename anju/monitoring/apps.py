from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "anju.monitoring"
    label = "monitoring"
    verbose_name = "防止返贫动态监测"

    def ready(self) -> None:
        from anju.core import context_processors, importers, paths

        from . import cli, coverage, selectors

        paths.watch_moves(coverage.moving)
        importers.register(cli.FEED)
        importers.register(cli.NATIONAL)
        context_processors.EXTRA_ITEMS.append(selectors.department_menu)
        from anju.registry.signals import households_placed

        from . import checks, placement

        checks.register()
        households_placed.connect(placement.follow, dispatch_uid="monitoring-follows-households")
