from django.urls import reverse
from rest_framework import mixins, permissions, serializers, viewsets

from . import selectors
from .models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download_url = serializers.SerializerMethodField(help_text="完成后的下载地址")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "title",
            "status",
            "status_label",
            "file_name",
            "rows",
            "size",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str | None:
        if obj.status != ExportJob.Status.DONE:
            return None
        return reverse("exports:download", args=[obj.pk])


class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """我的导出任务（台账超过一定行数时在后台生成 Excel）。只能看到本人申请的导出。"""

    serializer_class = ExportJobSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.jobs(self.request.user)
