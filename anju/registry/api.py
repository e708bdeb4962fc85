"""The registry over HTTP: households, persons, site profiles, summaries and quality checks."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from anju.accounts import access
from anju.core.api import ModulePermission, ScopedRelationsMixin, ScopedViewSet
from anju.core.masking import mask_id_number, mask_phone
from anju.orgs.selectors import node_by_key

from . import quality, selectors, services, summary
from .choices import HEAD
from .filters import HouseholdFilter, PersonFilter
from .models import Household, Person, SiteProfile

UNIT_DESCRIPTION = "单位键：u12（行政单位）、s3（安置点）、g5（网格）、b8（楼栋）"
UNIT_PARAM = OpenApiParameter("unit", str, required=True, description=UNIT_DESCRIPTION)
UNIT_PARAM_OPTIONAL = OpenApiParameter("unit", str, description=UNIT_DESCRIPTION)
NODE_PARAM = OpenApiParameter("node", str, description="同 unit（旧名称，已弃用）", deprecated=True)


class HouseholdSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True, default="")
    head_name = serializers.SerializerMethodField(help_text="户主姓名")
    size = serializers.SerializerMethodField(help_text="家庭人数")

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "head_name",
            "size",
            "category",
            "category_label",
            "settlement",
            "site",
            "site_name",
            "destination",
            "building",
            "unit_no",
            "room_no",
            "origin_town",
            "origin_village",
            "move_in_date",
            "dwelling_area",
            "safety_net",
            "phone",
            "path",
        ]
        read_only_fields = ["path"]

    def get_head_name(self, obj) -> str | None:
        if hasattr(obj, "head_name"):
            return obj.head_name
        head = obj.members.filter(relation=HEAD).order_by("id").first()
        return head.name if head else None

    def get_size(self, obj) -> int:
        return obj.size if hasattr(obj, "size") else obj.members.count()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = mask_phone(data["phone"])
        return data


class PersonSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "household_number",
            "name",
            "id_number",
            "birth_date",
            "sex",
            "relation",
            "ethnicity",
            "political_status",
            "education",
            "schooling",
            "health",
            "labour_skill",
            "hukou_status",
            "medical_insurance",
            "pension_insurance",
            "phone",
            "path",
        ]
        read_only_fields = ["birth_date", "sex", "path"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["id_number"] = mask_id_number(data["id_number"])
        data["phone"] = mask_phone(data["phone"])
        return data


class SiteProfileSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = SiteProfile
        fields = "__all__"
        read_only_fields = ["site"]


class RollupCounted:
    """The list's length from the roll-ups when only roll-up filters are in use (see
    ``anju.core.pagination``): a county leader's million persons are not counted per page."""

    counts_persons = False

    def known_count(self):
        fs = self.filterset_class(
            self.request.query_params, queryset=self.get_queryset(), request=self.request
        )
        if not fs.is_valid():
            return None
        return selectors.counted_from_rollups(
            self.request.user, fs.form.cleaned_data, persons=self.counts_persons
        )


class HouseholdViewSet(
    RollupCounted,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """搬迁户。"""

    module = "registry"
    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    related = ("site", "building", "destination")
    ordering = ["path", "number"]

    def paginate_queryset(self, queryset):
        """户主 and 人数 for the rows of the page only: the page's ids first, then those rows
        with their two subqueries (a deep page would otherwise compute them for every row it
        skips)."""
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        if ids is None:
            return None
        rows = selectors.with_head_and_size(queryset.filter(pk__in=ids)).in_bulk()
        return [rows[pk] for pk in ids]

    def perform_create(self, serializer):
        serializer.instance = services.create_household(
            self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_household(
            self.request.user, serializer.instance, **serializer.validated_data
        )


class PersonViewSet(
    RollupCounted,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """家庭成员。身份证号、电话默认脱敏；查看完整身份证号会记入审计日志。"""

    module = "registry"
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    related = ("household",)
    counts_persons = True
    # Entry order within the unit: the (path, id) index pages through a million persons, or
    # through one site's, without a sort.
    ordering = ["path", "id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        household = data.pop("household")
        serializer.instance = services.add_person(self.request.user, household, **data)

    @transaction.atomic
    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        household = data.pop("household", serializer.instance.household)
        person = serializer.instance
        if household.pk != person.household_id:
            services.move_person(
                self.request.user, person, household, relation=data.pop("relation", person.relation)
            )
        serializer.instance = services.update_person(self.request.user, person, **data)

    @extend_schema(request=None, responses={200: dict})
    @action(
        detail=True,
        methods=["post"],
        url_path="reveal-id",
        permission_classes=[permissions.IsAuthenticated],
    )
    def reveal_id(self, request, pk=None):
        access.require(request.user, "registry", "read")
        return Response({"id_number": services.reveal_id_number(request.user, self.get_object())})


class SiteProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """安置点概况（申报数字与设施情况）。"""

    module = "registry"
    queryset = SiteProfile.objects.all()
    serializer_class = SiteProfileSerializer
    related = ("site",)
    ordering = ["site__path"]


class RegistryReportViewSet(viewsets.ViewSet):
    """安置点基本情况与数据质量检查。"""

    module = "registry"
    permission_classes = [ModulePermission]

    @staticmethod
    def _unit_key(request) -> str:
        # ``unit`` everywhere in the API; ``node`` was this endpoint's old name and still works.
        return request.query_params.get("unit") or request.query_params.get("node") or ""

    def _node(self, request):
        key = self._unit_key(request)
        if not key:
            raise ValidationError({"unit": "请提供单位 unit，如 u12（行政单位）、s3（安置点）。"})
        node = node_by_key(request.user, key)
        if node is None:
            raise NotFound("单位不存在或不在您的管辖范围内。")
        return node

    @extend_schema(
        parameters=[
            UNIT_PARAM,
            NODE_PARAM,
            OpenApiParameter("on", str, description="统计日期 YYYY-MM-DD"),
            OpenApiParameter("category", str, description="lifted 或 co_relocated"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        access.require(request.user, "registry", "read")
        node = self._node(request)
        try:
            on = date.fromisoformat(request.query_params.get("on") or date.today().isoformat())
        except ValueError:
            raise ValidationError({"on": "日期格式应为 YYYY-MM-DD。"}) from None
        category = request.query_params.get("category", "")
        if category not in ("", "lifted", "co_relocated"):
            raise ValidationError({"category": "户类型只能是 lifted 或 co_relocated。"})
        result = summary.for_node(request.user, node, on=on, category=category)
        return Response({"node": node.name, **result.as_dict()})

    @extend_schema(
        parameters=[OpenApiParameter("page", int, description="页码，每页 50 个安置点")],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def sites(self, request):
        """安置点概况：每个安置点的申报数与台账统计数（与页面同源），并附全部安置点的合计。"""
        access.require(request.user, "registry", "read")
        paginator = PageNumberPagination()
        paginator.page_size = 50
        page = paginator.paginate_queryset(selectors.sites(request.user), request, view=self)
        results = [
            {"key": site.key, **selectors.site_figures(site)}
            for site in selectors.attach_counts(request.user, page)
        ]
        response = paginator.get_paginated_response(results)
        response.data["totals"] = selectors.site_totals(request.user)
        return response

    @extend_schema(
        parameters=[
            UNIT_PARAM_OPTIONAL,
            NODE_PARAM,
            OpenApiParameter("check", str, description="检查项代码，如 head、duplicate"),
            OpenApiParameter("page", int, description="页码，每页 100 条"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def quality(self, request):
        """后台数据质量检查的结果（检查时间、各检查项条数、问题清单，分页）。"""
        access.require(request.user, "registry", "read")
        node = self._node(request) if self._unit_key(request) else None
        code = request.query_params.get("check", "")
        if code and code not in quality.CHECKS:
            raise ValidationError({"check": f"检查项只能是：{'、'.join(quality.CHECKS)}。"})
        counts = quality.counts(quality.findings(request.user, node=node))
        page = Paginator(quality.findings(request.user, node=node, code=code), 100).get_page(
            request.query_params.get("page")
        )
        runs = quality.runs_for(request.user, node)
        last, pending = runs["last"], runs["pending"]
        return Response(
            {
                "checked_at": timezone.localtime(last.finished_at).isoformat() if last else None,
                "checked_unit": last.unit_name if last else None,
                "pending": pending.get_status_display() if pending else None,
                "count": sum(counts.values()),
                "counts": [
                    {"check": c, "check_label": label, "count": counts[c]}
                    for c, label in quality.CHECKS.items()
                ],
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": quality.present(request.user, page),
            }
        )
