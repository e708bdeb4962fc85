from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anju.core.api import ScopedRelationsMixin, ScopedViewSet
from anju.orgs import selectors as org_selectors

from . import registry, selectors, services
from .filters import ParameterValueFilter, unit_pk
from .models import ParameterValue


class ParameterValueSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    display = serializers.CharField(source="display_value", read_only=True)
    value = serializers.JSONField()

    class Meta:
        model = ParameterValue
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "valid_from",
            "valid_to",
            "value",
            "display",
            "source",
            "path",
        ]
        read_only_fields = ["path"]

    def get_name(self, obj) -> str:
        return obj.definition.name if obj.definition else obj.key


class ParameterValueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """政策参数值：按单位与有效期设置；解析时取向上最近、且有效期覆盖该日期的单位的取值。"""

    module = "policies"
    queryset = ParameterValue.objects.all()
    serializer_class = ParameterValueSerializer
    filterset_class = ParameterValueFilter
    related = ("unit",)
    ordering = ["key", "path"]

    def perform_create(self, serializer):
        serializer.instance = services.set_value(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("key", None)
        data.pop("unit", None)
        serializer.instance = services.update_value(self.request.user, serializer.instance, **data)

    def perform_destroy(self, instance):
        services.delete_value(self.request.user, instance)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unit", str, required=True, description="行政单位键，如 u12（旧写法 12 仍可用）"
            ),
            OpenApiParameter("on", str, description="YYYY-MM-DD"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def resolve(self, request):
        """某单位某日生效的全部参数值及其来源单位。"""
        unit_id = unit_pk(request.query_params.get("unit", ""))
        if not unit_id.isdigit():
            raise ValidationError({"unit": "请提供行政单位 unit，如 u12。"})
        unit = org_selectors.units(request.user).filter(pk=int(unit_id)).first()
        if unit is None:
            return Response({"detail": "单位不存在或不在您的管辖范围内。"}, status=404)
        try:
            on = date.fromisoformat(request.query_params.get("on") or date.today().isoformat())
        except ValueError:
            raise ValidationError({"on": "日期格式应为 YYYY-MM-DD。"}) from None
        return Response(
            {
                "unit": unit.name,
                "on": on.isoformat(),
                "parameters": [
                    {
                        "key": r.key.key,
                        "name": r.key.name,
                        "value": r.value,
                        "display": r.display,
                        "source_unit": r.source.unit.name if r.source else None,
                        "valid_from": r.source.valid_from if r.source else None,
                        "valid_to": r.source.valid_to if r.source else None,
                    }
                    for r in selectors.resolve_all(unit, on)
                ],
            }
        )

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def keys(self, request):
        """参数登记表：每个参数的代码、名称、类型与单位。"""
        return Response(
            [
                {
                    "key": k.key,
                    "name": k.name,
                    "kind": k.kind.code,
                    "kind_label": k.kind.label,
                    "unit": k.unit,
                    "help": k.help,
                    "example": k.kind.example,
                }
                for k in registry.KEYS.values()
            ]
        )
