from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "anju.policies"
    label = "policies"
    verbose_name = "政策参数"
