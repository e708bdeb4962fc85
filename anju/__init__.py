"""安居 (Anju): follow-up support of relocated households."""

from .celery import app as celery_app

__all__ = ("celery_app",)
