from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "anju.registry"
    label = "registry"
    verbose_name = "搬迁户台账"

    def ready(self) -> None:
        from anju.core import paths

        from . import rollups

        paths.watch_moves(rollups.moving)
