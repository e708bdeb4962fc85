from rest_framework import mixins, serializers

from anju.core.api import ScopedViewSet

from .filters import AuditLogFilter
from .models import AuditLog
from .selectors import logs_visible_to


class AuditLogSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "object_repr",
            "unit_path",
            "changes",
            "note",
        ]


class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """审计日志（只读）：谁在何时对哪个对象做了什么，改了哪些字段。"""

    module = "audit"
    queryset = AuditLog.objects.all()
    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilter
    ordering = ["-at", "-id"]

    def get_queryset(self):
        return logs_visible_to(self.request.user)
