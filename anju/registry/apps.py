from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "anju.registry"
    label = "registry"
    verbose_name = "搬迁户台账"
