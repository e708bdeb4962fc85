from rest_framework import mixins, serializers

from anju.core.api import ScopedViewSet

from .filters import AuditLogFilter
from .models import AuditLog
from .selectors import format_changes, logs_visible_to, type_label


class AuditLogSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    object_type_label = serializers.SerializerMethodField(help_text="对象类型（中文）")
    # A JSON object {field: [old, new]} for programs, and the same as a sentence for people.
    changes = serializers.JSONField(read_only=True)
    changes_text = serializers.SerializerMethodField(help_text="变更内容：字段：旧值 → 新值")

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
            "object_type_label",
            "object_id",
            "object_repr",
            "unit_path",
            "changes",
            "changes_text",
            "note",
        ]

    def get_object_type_label(self, obj) -> str:
        return type_label(obj.object_type)

    def get_changes_text(self, obj) -> str:
        return format_changes(obj.object_type, obj.changes, obj.action)


class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """审计日志（只读）：谁在何时对哪个对象做了什么，改了哪些字段。"""

    module = "audit"
    queryset = AuditLog.objects.all()
    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilter
    ordering = ["-at", "-id"]

    def get_queryset(self):
        return logs_visible_to(self.request.user)
