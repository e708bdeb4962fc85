from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "anju.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from .services import ensure_builtin_roles

        def _roles(sender, **kwargs):
            if sender.name == self.name:
                ensure_builtin_roles()

        post_migrate.connect(_roles, weak=False, dispatch_uid="anju-builtin-roles")
