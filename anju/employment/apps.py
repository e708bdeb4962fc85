from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "anju.employment"
    label = "employment"
    verbose_name = "就业帮扶"

    def ready(self) -> None:
        from anju.core import context_processors, importers, paths
        from anju.monitoring import rules
        from anju.registry.signals import households_placed

        from . import importing, models, placement, selectors, signals

        paths.register(models.EmploymentRecord)
        paths.register(models.Unemployment)
        paths.register(models.Workshop)
        paths.register(models.WorkshopQuarter)
        paths.register(models.PaymentBatch)
        paths.register(models.SubsidyPayment)
        paths.register(models.Course)
        paths.register(models.Enrolment)
        importers.register(importing.POSTINGS)
        paths.register(models.Recommendation)
        rules.register(signals.NO_ONE_EMPLOYED)
        context_processors.EXTRA_ITEMS.append(selectors.menu)
        households_placed.connect(placement.follow, dispatch_uid="employment-follows-households")
