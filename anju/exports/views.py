"""My exports: the list, one job's status (refreshed while it runs) and its download."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from anju.core.pagination import CountedPaginator

from . import selectors, services
from .models import ExportJob


def job_list(request):
    page = CountedPaginator(selectors.jobs(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "exports/job_list.html", {"page": page, "title": "我的导出"})


def job_detail(request, pk):
    job = get_object_or_404(selectors.jobs(request.user), pk=pk)
    template = "exports/_job_status.html" if request.htmx else "exports/job_detail.html"
    return render(request, template, {"job": job, "title": job.title})


def download(request, pk):
    job = get_object_or_404(selectors.jobs(request.user), pk=pk)
    path = services.file_path(job)
    if job.status != ExportJob.Status.DONE or path is None or not path.exists():
        raise Http404("文件尚未生成或已过期清理，请重新导出。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)
