"""Cabinet: the project package and the cabinet app (organisation, roles, mandates)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
