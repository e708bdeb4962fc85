from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "anju.exports"
    label = "exports"
    verbose_name = "导出任务"
