"""Every read of export jobs: a user sees only their own."""

from .models import ExportJob


def jobs(user):
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user)
