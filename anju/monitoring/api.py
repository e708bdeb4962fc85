"""The monitoring loop over HTTP: monthly visits and their coverage."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from anju.core import periods
from anju.core.api import LedgerViewSet, ModulePermission, ScopedRelationsMixin, ScopedViewSet
from anju.core.masking import mask_phone
from anju.orgs.selectors import node_for

from . import choices, feeds, rules, selectors, services
from .filters import FeedFilter, IncomeFilter, LeadFilter, VisitFilter, WarningFilter
from .models import Feed, Income, Lead, Measure, Signal, Step, Visit, Warning, WarningSignal


class VisitSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    changes = serializers.MultipleChoiceField(choices=choices.FIVE_CHANGES, required=False)
    situations = serializers.MultipleChoiceField(choices=choices.FIVE_SITUATIONS, required=False)
    needs_unmet = serializers.MultipleChoiceField(choices=choices.BASIC_NEEDS, required=False)
    photos = serializers.SerializerMethodField()
    member_changes = serializers.DictField(
        write_only=True,
        required=False,
        help_text="家庭成员变化，写入台账：new_name、new_id_number、new_relation；died_member（成员 id）、"
        "died_on；ill_member、ill_health（长期慢性病/患有大病/残疾）；jobless_member",
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "household_number",
            "period",
            "visited_on",
            "visitor_name",
            "changes",
            "situations",
            "needs_unmet",
            "note",
            "photos",
            "member_changes",
            "registry_changes",
            "path",
        ]
        read_only_fields = ["visitor_name", "registry_changes", "path"]
        # A second visit of the same household and month corrects the first (the service
        # decides), so no unique-together refusal here.
        validators = []

    def get_photos(self, visit) -> list[str]:
        return [f"/monitoring/visit-photos/{p.pk}/" for p in visit.photos.all()]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Lists in the seed's order, as stored (a set has no order).
        for name in ("changes", "situations", "needs_unmet"):
            data[name] = list(getattr(instance, name))
        return data


class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """每月回访。POST 同一户同一月份再次提交即修改原记录（每户每月一条）。"""

    module = "monitoring"
    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering = ["-period", "path", "household_id"]

    def get_queryset(self):
        return selectors.visits(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        household = data.pop("household")
        for name in ("changes", "situations", "needs_unmet"):
            data[name] = list(data.get(name, []))
        serializer.instance = services.record_visit(self.request.user, household, **data)


class CoverageViewSet(viewsets.ViewSet):
    """回访覆盖：单位及其下级单位本月应回访、已回访、未回访户数。"""

    module = "monitoring"
    permission_classes = [ModulePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unit", str, description="单位键：u12、s3、g5、b8；默认本人服务的单位"
            ),
            OpenApiParameter("period", str, description="月份，如 2026-11；默认本月"),
        ],
        responses={200: dict},
    )
    def list(self, request):
        try:
            period = periods.parse(request.query_params.get("period") or periods.current())
        except Exception as exc:  # noqa: BLE001 - a ValidationError with a Chinese message
            raise ValidationError({"period": exc.messages}) from None
        node = node_for(request.user, request.query_params.get("unit"))
        if node is None:
            raise NotFound("单位不存在或不在您的管辖范围内。")
        figures = selectors.coverage_of(request.user, node, period)

        def row(node, f):
            return {
                "unit": node.key,
                "name": node.name,
                "households": f["households"],
                "visited": f["visited"],
                "missing": f["missing"],
                "share": f["share"],
            }

        return Response(
            {
                "period": period,
                **row(node, figures),
                "parts": [row(r["node"], r) for r in figures["rows"]],
            }
        )


class IncomeSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    reference_date = serializers.DateField(required=False)

    class Meta:
        model = Income
        fields = [
            "id",
            "household",
            "household_number",
            "year",
            "reference_date",
            *services.INCOME_AMOUNTS,
            "members",
            "net_income",
            "net_per_capita",
            "source",
            "recorded_by",
            "path",
        ]
        read_only_fields = [
            "members",
            "net_income",
            "net_per_capita",
            "source",
            "recorded_by",
            "path",
        ]
        validators = []  # one record per household and year: a second one corrects the first

    def to_representation(self, instance):
        data = super().to_representation(instance)
        view = self.context.get("view")
        if view is not None and getattr(view, "action", "") in ("retrieve", "create"):
            standing = selectors.income_standing(instance)
            data["standing"] = {
                "label": standing["label"],
                "income_line": str(standing["line"]) if standing["line"] is not None else None,
                "at_risk": standing["risk"],
            }
        return data


class IncomeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """家庭收支（每户每年一条；再次提交同一年度即修改）。详情含与监测标准的比较（standing）。"""

    module = "monitoring"
    queryset = Income.objects.all()
    serializer_class = IncomeSerializer
    filterset_class = IncomeFilter
    related = ("household",)
    ordering = ["-year", "path", "household_id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        household = data.pop("household")
        serializer.instance = services.record_income(self.request.user, household, **data)


class LeadSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "household",
            "household_number",
            "source",
            "source_label",
            "hardships",
            "description",
            "contact_phone",
            "status",
            "status_label",
            "created_at",
            "path",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["contact_phone"] = mask_phone(data["contact_phone"])
        return data


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """监测线索（农户自主申报等），待入户核实。联系电话脱敏。"""

    module = "monitoring"
    queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    related = ("household",)
    ordering = ["-created_at", "-id"]


class WarningSignalSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()

    class Meta:
        model = WarningSignal
        fields = ["id", "rule", "period", "source", "text", "value", "threshold", "found_at"]

    def get_source(self, signal) -> str:
        return rules.source_of(signal)

    def get_text(self, signal) -> str:
        return rules.describe(signal)


class StepSerializer(serializers.ModelSerializer):
    procedure_label = serializers.CharField(source="get_procedure_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Step
        fields = [
            "id",
            "procedure",
            "procedure_label",
            "kind",
            "kind_label",
            "passed",
            "acted_on",
            "actor_name",
            "note",
            "notice_from",
            "notice_to",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "kind",
            "kind_label",
            "risk_type",
            "content",
            "responsible",
            "planned_on",
            "done_on",
            "outcome",
        ]


class WarningSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    signals = WarningSignalSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Warning
        fields = [
            "id",
            "household",
            "household_number",
            "status",
            "status_label",
            "opened_period",
            "opened_on",
            "door_check_due",
            "decision_due",
            "overdue",
            "signals",
            "category",
            "risk_types",
            "housing_safe",
            "water_safe",
            "identified_on",
            "closed_on",
            "closed_reason",
            "destination_cadre",
            "origin_cadre",
            "eliminated_on",
            "elimination_method",
            "steps",
            "measures",
            "path",
        ]

    def get_overdue(self, warning) -> list[str]:
        return selectors.overdue(warning)


class WarningsPermission(permissions.BasePermission):
    """The loop's staff, and the departments for the warnings of their own indicators."""

    message = "您的角色无权查看监测预警。"

    def has_permission(self, request, view):
        return request.user.is_authenticated and selectors.may_see_warnings(request.user)


class WarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """监测预警：每户至多一条未办结的预警，后来的信号并入其中。overdue 列出已超期的时限。
    部门（人社、民政、教育、医保、住建）只看到本部门指标引发的预警。"""

    module = "monitoring"
    permission_classes = [permissions.IsAuthenticated, WarningsPermission]
    queryset = Warning.objects.all()
    serializer_class = WarningSerializer
    filterset_class = WarningFilter
    ordering = ["-opened_on", "path", "id"]

    def get_queryset(self):
        return selectors.warnings(self.request.user)


class FeedSerializer(serializers.ModelSerializer):
    department_label = serializers.CharField(read_only=True)

    class Meta:
        model = Feed
        fields = [
            "id",
            "department",
            "department_label",
            "period",
            "file_name",
            "rows",
            "matched",
            "unmatched",
            "uploaded_by_name",
            "created_at",
            "path",
        ]


class FeedUploadSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=feeds.DEPARTMENTS)
    period = serializers.CharField(max_length=7)
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class FeedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """部门筛查数据。POST（multipart：department、period、file、dry_run）导入一份文件：
    全部通过才写入；返回 errors（行、列、内容、问题）和 unmatched（未匹配的行）。"""

    module = "monitoring"
    permission_classes = [permissions.IsAuthenticated, WarningsPermission]
    queryset = Feed.objects.all()
    serializer_class = FeedSerializer
    filterset_class = FeedFilter

    def get_queryset(self):
        return selectors.feeds(self.request.user)

    def get_serializer_class(self):
        return FeedUploadSerializer if self.action == "create" else FeedSerializer

    @extend_schema(request=FeedUploadSerializer, responses={201: dict, 400: dict})
    def create(self, request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied as Denied
        from django.core.exceptions import ValidationError as Invalid
        from rest_framework.exceptions import PermissionDenied

        upload = FeedUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            outcome = feeds.import_upload(
                request.user,
                data["file"],
                department=data["department"],
                period=data["period"],
                dry_run=data["dry_run"],
            )
        except Denied as exc:
            raise PermissionDenied(str(exc)) from None
        except Invalid as exc:
            raise ValidationError({"period": exc.messages}) from None
        body = {
            "rows": outcome.rows,
            "matched": outcome.matched,
            "unmatched": outcome.unmatched,
            "errors": _errors(outcome),
            "feed": outcome.feed.pk if outcome.feed else None,
        }
        return Response(body, status=400 if outcome.errors else (201 if outcome.feed else 200))


class SignalSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default="")
    indicator_label = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = [
            "id",
            "feed",
            "department",
            "indicator",
            "indicator_label",
            "value",
            "occurred_on",
            "note",
            "household",
            "household_number",
            "person_name",
            "row",
            "path",
        ]

    def get_indicator_label(self, signal) -> str:
        return feeds.indicator_label(signal.department, signal.indicator)


class SignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """部门筛查数据中匹配到搬迁人口的行（预警信号）。"""

    module = "monitoring"
    permission_classes = [permissions.IsAuthenticated, WarningsPermission]
    queryset = Signal.objects.all()
    serializer_class = SignalSerializer
    filterset_fields = ["feed", "department", "indicator"]
    ordering = ["feed", "row"]

    def get_queryset(self):
        return selectors.signals(self.request.user).order_by("feed", "row")


def _errors(outcome) -> list[dict]:
    return [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in outcome.errors
    ]


class MonitoredLedgerViewSet(LedgerViewSet):
    """三类人员监测帮扶台账：period=YYYY-MM（默认本月）。已封存的月份返回封存时的快照（frozen=true）。"""

    module = "monitoring"

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="月份，如 2026-11；默认本月")],
        responses={200: dict},
    )
    def list(self, request):
        from . import frozen, ledgers
        from .models import LedgerMonth, LedgerRow

        try:
            period = periods.parse(request.query_params.get("period") or periods.current())
        except Exception as exc:  # noqa: BLE001 - a ValidationError with a Chinese message
            raise ValidationError({"period": exc.messages}) from None
        month = LedgerMonth.objects.filter(period=period).first()
        if month is not None:
            rows = LedgerRow.objects.visible_to(request.user).filter(period=period)
            rows = rows.order_by("path", "household_number")
        else:
            rows = frozen.live(selectors.warnings(request.user).filter(frozen.in_month(period)))
            rows = rows.order_by("path", "household__number")
        response = self.ledger_page(ledgers.MONITORED, rows)
        response.data["period"] = period
        response.data["frozen"] = month is not None
        return response


class PolicyLedgerViewSet(LedgerViewSet):
    """政策享受台账：每户的兜底保障、参保人数和已落实的帮扶措施，列与页面、Excel 相同；
    可按 site、category、safety_net、q 筛选。"""

    module = "monitoring"

    @extend_schema(responses={200: dict})
    def list(self, request):
        from anju.registry.filters import HouseholdFilter

        from . import ledgers

        rows = selectors.policy_households(request.user).order_by("path", "number")
        return self.ledger_page(ledgers.POLICIES, self.filtered(HouseholdFilter, rows))


class ExchangeUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ExchangeViewSet(viewsets.ViewSet):
    """全国防返贫监测信息系统交换表。GET 下载 Excel（户信息、监测对象信息两张表，含完整身份证号，
    须有查看完整身份证号的权限，记入审计）；POST（multipart：file、dry_run）导入全国系统导出的文件：
    全部通过才写入，返回 errors（表·列、行、内容、问题）、unmatched（非本平台搬迁户的行）、
    members_missing（台账中没有的成员）和新纳入、更新、无变化的户数。"""

    module = "monitoring"
    permission_classes = [ModulePermission]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def list(self, request):
        from django.core.exceptions import PermissionDenied as Denied
        from rest_framework.exceptions import PermissionDenied

        from anju.core.xlsx import book_response

        from . import exchange

        try:
            sheets = exchange.sheets(request.user)
        except Denied as exc:
            raise PermissionDenied(str(exc)) from None
        except exchange.LayoutError as exc:
            raise ValidationError({"layout": [str(exc)]}) from None
        exchange.record_export(request.user, len(sheets[0][2]))
        return book_response("全国防返贫监测信息系统交换表.xlsx", sheets)

    @extend_schema(request=ExchangeUploadSerializer, responses={200: dict, 400: dict})
    def create(self, request):
        from . import exchange

        upload = ExchangeUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        outcome = exchange.import_upload(
            request.user, upload.validated_data["file"], dry_run=upload.validated_data["dry_run"]
        )
        body = {
            "rows": outcome.rows,
            "matched": outcome.matched,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "unmatched": outcome.unmatched,
            "members_checked": outcome.members_checked,
            "members_missing": outcome.members_missing,
            "errors": _errors(outcome),
        }
        return Response(body, status=400 if outcome.errors else 200)
