"""The organisation tree over HTTP. Reads are scoped by ScopedViewSet; writes go to services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.accounts import access
from anju.core.api import ScopedRelationsMixin, ScopedViewSet
from anju.core.masking import mask_phone

from . import filters, services
from .models import AdminUnit, Building, Grid, Position, Site


class AdminUnitSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    level_label = serializers.CharField(read_only=True)

    class Meta:
        model = AdminUnit
        fields = ["id", "code", "name", "level", "level_label", "is_community", "parent", "path"]
        read_only_fields = ["path"]


class SiteSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    admin_unit_name = serializers.CharField(source="admin_unit.name", read_only=True)

    class Meta:
        model = Site
        fields = ["id", "name", "kind", "admin_unit", "admin_unit_name", "address", "note", "path"]
        read_only_fields = ["path"]


class GridSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["id", "name", "kind", "site", "community", "path"]
        read_only_fields = ["path"]


class BuildingSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "name", "site", "grid", "floors", "unit_count", "path"]
        read_only_fields = ["path"]


class PositionSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    title_label = serializers.CharField(source="get_title_display", read_only=True)
    holder = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "title",
            "title_label",
            "admin_unit",
            "site",
            "grid",
            "building",
            "user",
            "holder",
            "holder_name",
            "phone",
            "start_date",
            "end_date",
            "path",
        ]
        read_only_fields = ["path"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = mask_phone(data["phone"])
        return data


class NodeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    module = "orgs"

    def perform_create(self, serializer):
        model = self.queryset.model
        if model is Position:
            serializer.instance = services.create_position(
                self.request.user, **serializer.validated_data
            )
        else:
            serializer.instance = services.create_node(
                self.request.user, model, **serializer.validated_data
            )

    def perform_update(self, serializer):
        serializer.instance = services.update_node(
            self.request.user, serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_node(self.request.user, instance)


class AdminUnitViewSet(NodeViewSet):
    """行政区划（省、市、县、乡镇、村/社区）。"""

    queryset = AdminUnit.objects.all()
    serializer_class = AdminUnitSerializer
    filterset_class = filters.AdminUnitFilter
    search_fields = ["name", "code"]
    ordering = ["path"]


class SiteViewSet(NodeViewSet):
    """安置点。"""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_class = filters.SiteFilter
    related = ("admin_unit",)
    ordering = ["path"]


class GridViewSet(NodeViewSet):
    """网格。"""

    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_class = filters.GridFilter
    ordering = ["path"]


class BuildingViewSet(NodeViewSet):
    """楼栋。"""

    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    filterset_class = filters.BuildingFilter
    ordering = ["path"]


class PositionViewSet(NodeViewSet):
    """岗位（点长、片长、楼长、网格员、帮扶干部）。电话默认脱敏，查看完整号码会记入审计日志。"""

    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_class = filters.PositionFilter
    related = ("user",)
    ordering = ["path"]

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request, pk=None):
        position = self.get_object()
        if not access.can_reveal_identity(request.user):
            return Response({"detail": "您的角色无权查看完整联系电话。"}, status=403)
        return Response({"phone": services.reveal_phone(request.user, position)})
