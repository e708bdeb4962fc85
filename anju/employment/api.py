"""The employment API: the same rows and figures as the pages, through the same selectors and
services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from anju.core import periods
from anju.core.api import LedgerViewSet, ModulePermission, ScopedViewSet
from anju.orgs.models import Site
from anju.orgs.selectors import node_for
from anju.registry.models import Person

from . import choices, ledgers, monthly, selectors, services
from .filters import (
    BatchFilter,
    CourseFilter,
    EligibleFilter,
    EmployerFilter,
    EnrolmentFilter,
    HelpFilter,
    HouseholdsFilter,
    PostingFilter,
    PublicPostFilter,
    RecommendationFilter,
    RecordFilter,
    RetentionFilter,
    RosterFilter,
    WorkshopFilter,
)
from .models import (
    Course,
    Employer,
    EmploymentRecord,
    Enrolment,
    PaymentBatch,
    Posting,
    Retention,
    SubsidyPayment,
    Unemployment,
    Workshop,
    WorkshopQuarter,
)


class RecordSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    person_name = serializers.CharField(source="person.name", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    workshop = serializers.PrimaryKeyRelatedField(
        queryset=Workshop.objects.none(), required=False, allow_null=True, default=None
    )
    # The type's code or its words (护林员, 保洁员 …): the service reads them into the seed's type.
    post_type = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = EmploymentRecord
        fields = [
            "id",
            "person",
            "person_name",
            "household_number",
            "kind",
            "employer",
            "started_on",
            "ended_on",
            "end_reason",
            "monthly_income",
            "contract_months",
            "social_insurance",
            "workshop",
            "post_type",
            "organised_by",
            "note",
            "path",
        ]
        read_only_fields = ["ended_on", "end_reason", "path"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # only persons and workshops the user sees may be named
            self.fields["person"].queryset = Person.objects.visible_to(request.user)
            self.fields["workshop"].queryset = selectors.workshop_choices(request.user)


class EndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=choices.END_REASONS)
    helper = serializers.CharField(required=False, allow_blank=True, default="")


class RecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """就业记录（?list=migrant 外出务工人员清单，?list=self 自主创业人员清单）。POST 登记就业；
    POST …/end/（ended_on、reason、helper）结束一份工作，reason=lost 时登记失业、开启一对一帮扶
    并按监测规则比对该户。"""

    module = "employment"
    queryset = EmploymentRecord.objects.all()
    serializer_class = RecordSerializer
    filterset_class = RecordFilter

    def get_queryset(self):
        rows = selectors.records(self.request.user).order_by("path", "-started_on", "id")
        chosen = self.request.query_params.get("list")
        if chosen in ledgers.LISTS:  # 外出务工 / 自主创业: the open jobs of those kinds
            rows = rows.filter(kind__in=ledgers.LISTS[chosen][1], ended_on__isnull=True)
        return rows

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person = data.pop("person")
        serializer.instance = services.record_job(self.request.user, person, **data)

    @extend_schema(request=EndSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        record = self.get_object()
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.end_job(request.user, record, **body.validated_data)
        return Response(RecordSerializer(record, context={"request": request}).data)


class HelpSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = Unemployment
        fields = [
            "id",
            "person",
            "person_name",
            "household_number",
            "lost_job",
            "registered_on",
            "status",
            "helper",
            "closed_on",
            "path",
        ]


class HelpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """失业登记与一对一帮扶。"""

    module = "employment"
    queryset = Unemployment.objects.all()
    serializer_class = HelpSerializer
    filterset_class = HelpFilter

    def get_queryset(self):
        return selectors.helps(self.request.user)


class RosterViewSet(LedgerViewSet):
    """搬迁劳动力清单：列与页面、Excel 相同；可按 q、site、status（employed/not/helping）筛选。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.roster(request.user).order_by("household__path", "household__number", "id")
        return self.ledger_page(ledgers.ROSTER, self.filtered(RosterFilter, rows))


class HouseholdLedgerViewSet(LedgerViewSet):
    """家庭就业扶贫台账：每户家庭人数、劳动力、就业人数、应就业人数；status=below 未达家庭就业
    要求，status=zero 零就业家庭。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.households(request.user).order_by("path", "number")
        return self.ledger_page(ledgers.HOUSEHOLDS, self.filtered(HouseholdsFilter, rows))


class EmployerSerializer(serializers.ModelSerializer):
    open_postings = serializers.IntegerField(read_only=True)

    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "credit_code",
            "contact",
            "phone",
            "address",
            "open_postings",
            "path",
        ]
        read_only_fields = ["path"]
        validators = []  # the service says a duplicate code in Chinese


class EmployerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """用工单位。POST 登记（统一社会信用代码按校验码核对）。"""

    module = "employment"
    queryset = Employer.objects.all()
    serializer_class = EmployerSerializer
    filterset_class = EmployerFilter

    def get_queryset(self):
        return selectors.employers(self.request.user).order_by("name", "id")

    def perform_create(self, serializer):
        created = services.create_employer(self.request.user, **serializer.validated_data)
        serializer.instance = selectors.employers(self.request.user).get(pk=created.pk)


class PostingSerializer(serializers.ModelSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.none())
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = Posting
        fields = ["id", "employer_name", *services.POSTING_FIELDS, "path"]
        read_only_fields = ["path"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["employer"].queryset = selectors.shared(Employer, request.user)


class PostingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """岗位信息数据库。POST 发布岗位。"""

    module = "employment"
    queryset = Posting.objects.all()
    serializer_class = PostingSerializer
    filterset_class = PostingFilter

    def get_queryset(self):
        return selectors.postings(self.request.user).order_by("-valid_to", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        employer = data.pop("employer")
        serializer.instance = services.create_posting(self.request.user, employer, **data)

    @extend_schema(request=None, responses={201: dict, 200: dict, 400: dict})
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        """导入岗位信息（multipart：file、dry_run）：全部通过才写入；返回 errors（行、列、内容、
        问题），试导入时返回将发布的岗位数和将登记的新单位数。"""
        from . import importing

        body = PostingImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = importing.import_upload(
            request.user, body.validated_data["file"], dry_run=body.validated_data["dry_run"]
        )
        status = 400 if outcome.errors else (200 if outcome.dry_run else 201)
        return Response(
            {
                "rows": outcome.rows,
                "postings": outcome.postings,
                "employers": outcome.employers,
                "dry_run": outcome.dry_run,
                "errors": [e.as_dict() for e in outcome.errors],
            },
            status=status,
        )


class MonthsViewSet(viewsets.ViewSet):
    """就业月报与趋势：单位及其下级单位某月的有劳动力户数、劳动力、就业人数、未达家庭就业要求
    户数、零就业家庭户数、按就业类型的就业人数，以及此前 12 个月的趋势。"""

    module = "employment"
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
        except DjangoValidationError as exc:
            raise ValidationError({"period": exc.messages}) from None
        node = node_for(request.user, request.query_params.get("unit"))
        if node is None:
            raise NotFound("单位不存在或不在您的管辖范围内。")
        figures = selectors.months(request.user, node, period)

        def row(node, f):
            return {"unit": node.key, "name": node.name, **{k: f[k] for k in monthly.FIGURES}}

        return Response(
            {
                "period": period,
                "computed": figures["computed"],
                **row(node, figures),
                "by_kind": figures["by_kind"],
                "parts": [row(r["node"], r) for r in figures["parts"]],
                "trend": figures["trend"],
            }
        )


class RetentionSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="push.person_id", read_only=True)
    person_name = serializers.CharField(source="push.person.name", read_only=True)
    posting = serializers.IntegerField(source="push.posting_id", read_only=True)
    posting_title = serializers.CharField(source="push.posting.title", read_only=True)

    class Meta:
        model = Retention
        fields = [
            "id",
            "push",
            "person",
            "person_name",
            "posting",
            "posting_title",
            "months",
            "due_on",
            "checked_on",
            "still_employed",
            "note",
            "checked_by",
            "path",
        ]
        read_only_fields = fields


class CheckSerializer(serializers.Serializer):
    still_employed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RetentionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """岗位稳定性回访（录用后 3 个月、6 个月）。?state=due 已到期待回访；POST …/check/ 记录回访。"""

    module = "employment"
    queryset = Retention.objects.all()
    serializer_class = RetentionSerializer
    filterset_class = RetentionFilter

    def get_queryset(self):
        return selectors.retentions(self.request.user).order_by("due_on", "id")

    @extend_schema(request=CheckSerializer, responses=RetentionSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        check = self.get_object()
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.check_retention(request.user, check, **data.validated_data)
        return Response(RetentionSerializer(check).data)


class WorkshopSerializer(serializers.ModelSerializer):
    employer = serializers.PrimaryKeyRelatedField(
        queryset=Employer.objects.none(), required=False, allow_null=True, default=None
    )
    sites = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), many=True, required=False, default=list
    )

    class Meta:
        model = Workshop
        fields = ["id", *services.WORKSHOP_FIELDS, "sites", "path"]
        read_only_fields = ["path"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["employer"].queryset = selectors.shared(Employer, request.user)
            self.fields["sites"].child_relation.queryset = Site.objects.visible_to(request.user)


class WorkshopViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """帮扶车间 / 就业帮扶基地。POST 登记（sites：服务的安置点）；台账见 workshop-ledger。"""

    module = "employment"
    queryset = Workshop.objects.all()
    serializer_class = WorkshopSerializer
    filterset_class = WorkshopFilter

    def get_queryset(self):
        return selectors.workshops(self.request.user).order_by("path", "name", "id")

    def perform_create(self, serializer):
        serializer.instance = services.create_workshop(
            self.request.user, **serializer.validated_data
        )


class QuarterSerializer(serializers.ModelSerializer):
    workshop = serializers.PrimaryKeyRelatedField(queryset=Workshop.objects.none())
    period = serializers.CharField()
    counted = serializers.IntegerField(read_only=True)

    class Meta:
        model = WorkshopQuarter
        fields = ["id", "workshop", *services.QUARTER_FIELDS, "counted", "path"]
        read_only_fields = ["path"]
        validators = []  # the service says a second record of a quarter in Chinese

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["workshop"].queryset = selectors.workshop_choices(request.user)


class WorkshopQuarterViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """帮扶车间季度监测（每季度一次）。POST 填报：workshop、period（如 2026-Q4）、用工人数、
    搬迁劳动力人数、发放工资。"""

    module = "employment"
    queryset = WorkshopQuarter.objects.all()
    serializer_class = QuarterSerializer

    def get_queryset(self):
        return selectors.workshop_quarters(self.request.user).order_by("workshop_id", "-period")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        workshop = data.pop("workshop")
        created = services.record_quarter(self.request.user, workshop, **data)
        serializer.instance = self.get_queryset().get(pk=created.pk)


class WorkshopLedgerViewSet(LedgerViewSet):
    """帮扶车间台账：列与页面、Excel 相同；可按 q、kind、site 筛选。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.workshops(request.user).order_by("path", "name", "id")
        return self.ledger_page(ledgers.WORKSHOPS, self.filtered(WorkshopFilter, rows))


class WorkshopCheckViewSet(LedgerViewSet):
    """帮扶车间检查，与页面相同：check=share 搬迁劳动力占比不足，sites 安置点未配建帮扶车间，
    quarter 本季度未监测（period 如 2026-Q4）。"""

    module = "employment"

    @extend_schema(
        parameters=[
            OpenApiParameter("check", str, description="share、sites 或 quarter"),
            OpenApiParameter("period", str, description="季度，如 2026-Q4；默认本季度"),
        ],
        responses={200: dict},
    )
    def list(self, request):
        from .views import CHECKS, check_rows

        check = request.query_params.get("check") or "share"
        if check not in CHECKS:
            raise ValidationError({"check": "可选：" + "、".join(CHECKS)})
        ledger, filter_class, rows, _note, key = check_rows(request.user, check, request)
        if rows is None:
            raise ValidationError({"check": f"未设定政策参数“{key.name}”。"})
        return self.ledger_page(ledger, self.filtered(filter_class, rows))


class PublicPostViewSet(LedgerViewSet):
    """公益岗位台账：某年度（year）在岗人员、在岗月数、月工资、发放合计；by=type 按岗位类型统计。"""

    module = "employment"

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年度，默认今年"),
            OpenApiParameter("by", str, description="type：按岗位类型统计"),
        ],
        responses={200: dict},
    )
    def list(self, request):
        from .views import _year

        rows = selectors.public_posts(request.user, _year(request)).order_by(
            "post_type", "path", "household__number", "started_on"
        )
        fs = PublicPostFilter(request.query_params, queryset=rows, request=request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        if request.query_params.get("by") == "type":
            return self.ledger_page(
                ledgers.PUBLIC_POST_TYPES, selectors.public_posts_by_type(fs.qs)
            )
        return self.ledger_page(ledgers.PUBLIC_POSTS, fs.qs)


# -- subsidies (就业补贴) ----------------------------------------------------------------------


def _cause_param(request):
    from . import subsidies

    cause = subsidies.CATALOGUE.get(request.query_params.get("cause") or "")
    if cause is None:
        raise ValidationError({"cause": ["请选择补贴事由：" + "、".join(subsidies.CATALOGUE)]})
    return cause


class SubsidyEligibleViewSet(LedgerViewSet):
    """就业补贴符合条件未发放人员：cause（hiring 吸纳就业、tracking 跟踪服务、job_search 求职创业、
    startup 创业、onjob_training 以工代训、training_living 培训期间生活补助）、unit（默认本人服务
    的单位）；列与页面、Excel 相同。培训类补贴每人每个培训班一行（enrolment 参训记录）。"""

    module = "employment"

    @extend_schema(
        parameters=[
            OpenApiParameter("cause", str, description="补贴事由"),
            OpenApiParameter("unit", str, description="单位键：u12、s3；默认本人服务的单位"),
        ],
        responses={200: dict},
    )
    def list(self, request):
        from . import subsidies

        cause = _cause_param(request)
        node = node_for(request.user, request.query_params.get("unit"))
        if node is None:
            raise NotFound("单位不存在或不在您的管辖范围内。")
        rows = selectors.eligible(request.user, node, cause).order_by(
            "path", "household__number", "person_id", "pk"
        )
        fs = EligibleFilter(request.query_params, queryset=rows, request=request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        page = self.paginator.paginate_queryset(fs.qs, request, view=self)
        ledger = ledgers.eligible_ledger(cause)
        priced = subsidies.priced(cause, page, subsidies.Rates(cause.keys))
        headers = ledger.headers
        body = [
            {
                **dict(zip(headers, values, strict=True)),
                "person": r.person_id,
                "record": None if cause.per_course else r.pk,
                "enrolment": r.pk if cause.per_course else None,
            }
            for r, values in zip(priced, ledger.rows(priced), strict=True)
        ]
        return self.paginator.get_paginated_response(body)


class SubsidyPersonViewSet(viewsets.ViewSet):
    """一个人的就业补贴资格：每个补贴事由的逐项条件、金额和已列入的批次。"""

    module = "employment"
    permission_classes = [ModulePermission]

    @extend_schema(responses={200: dict})
    def retrieve(self, request, pk=None):
        person = Person.objects.visible_to(request.user).filter(pk=pk).first()
        if person is None:
            raise NotFound("对象不存在或不在您的管辖范围内。")
        findings = selectors.subsidy_findings(request.user, person)
        return Response(
            {
                "person": person.pk,
                "name": person.name,
                "causes": [
                    {
                        "cause": f.cause.code,
                        "name": f.cause.name,
                        "policy": f.cause.policy,
                        "eligible": f.eligible,
                        "record": f.record.pk if f.record and not f.cause.per_course else None,
                        "enrolment": f.record.pk if f.record and f.cause.per_course else None,
                        "course": f.record.course.title
                        if f.record and f.cause.per_course
                        else None,
                        "checks": [c.as_dict() for c in f.checks],
                        "explanation": f.explanation,
                        "amount": str(f.amount) if f.amount is not None else None,
                        "paid_in": f.paid.batch.number if f.paid else None,
                    }
                    for f in findings
                ],
            }
        )


class PaymentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.SerializerMethodField()
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = SubsidyPayment
        fields = [
            "id",
            "person",
            "person_name",
            "id_number",
            "household_number",
            "cause",
            "payee",
            "qualified_on",
            "amount",
            "status",
            "explanation",
        ]

    def get_id_number(self, payment) -> str:
        from anju.core.masking import mask_id_number

        return mask_id_number(payment.person.id_number)


class BatchSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.key", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    persons = serializers.IntegerField(read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PaymentBatch
        fields = [
            "id",
            "number",
            "cause",
            "unit",
            "unit_name",
            "counted_on",
            "status",
            "persons",
            "total",
            "created_by_name",
            "submitted_on",
            "paid_on",
            "path",
        ]


class BatchCreateSerializer(serializers.Serializer):
    cause = serializers.ChoiceField(choices=[])
    unit = serializers.CharField()

    def __init__(self, *args, **kwargs):
        from .subsidies import CAUSES

        super().__init__(*args, **kwargs)
        self.fields["cause"].choices = CAUSES


class BatchViewSet(mixins.ListModelMixin, ScopedViewSet):
    """补贴发放批次。POST 生成（cause、unit：乡镇或县级单位键）；GET …/<id>/ 发放名册（身份证号
    脱敏）与合计；POST …/submit/ 提交财政，…/paid/ 登记已发放，…/add/（id_number）加入一人，
    …/withdraw/（payment、reason）撤出一人。"""

    module = "employment"
    queryset = PaymentBatch.objects.all()
    serializer_class = BatchSerializer
    filterset_class = BatchFilter

    def get_queryset(self):
        return selectors.batches(self.request.user).order_by("-created_at", "-id")

    def retrieve(self, request, pk=None):
        batch = self.get_object()
        rows = selectors.payments(request.user, batch)
        return Response(
            {
                **BatchSerializer(batch).data,
                "payments": PaymentSerializer(rows, many=True).data,
            }
        )

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    def create(self, request):
        from anju.orgs.models import AdminUnit

        body = BatchCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        node = node_for(request.user, body.validated_data["unit"])
        if node is None:
            raise NotFound("单位不存在或不在您的管辖范围内。")
        if not isinstance(node, AdminUnit):
            raise ValidationError({"unit": ["发放批次按乡镇（街道）或县级单位生成。"]})
        made = services.create_batch(request.user, node, cause=body.validated_data["cause"])
        batch = selectors.batches(request.user).get(pk=made.pk)
        return Response({**BatchSerializer(batch).data, "left_out": made.left_out}, status=201)

    def _advance(self, request, to):
        batch = self.get_object()
        services.advance_batch(request.user, batch, to=to)
        return Response(BatchSerializer(selectors.batches(request.user).get(pk=batch.pk)).data)

    @extend_schema(request=None, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._advance(request, "submitted")

    @extend_schema(request=None, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        return self._advance(request, "paid")

    @extend_schema(request=dict, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        batch = self.get_object()
        number = str(request.data.get("id_number", "")).strip().upper()
        person = Person.objects.visible_to(request.user).filter(id_number=number).first()
        if person is None:
            raise ValidationError({"id_number": [f"辖区内没有身份证号为「{number}」的人员。"]})
        payment = services.add_payment(request.user, batch, person)
        return Response(PaymentSerializer(payment).data, status=201)

    @extend_schema(request=dict, responses={200: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        batch = self.get_object()
        payment = selectors.payments(request.user, batch).filter(pk=request.data.get("payment"))
        payment = payment.first()
        if payment is None:
            raise NotFound("本批次中没有这条发放记录。")
        services.withdraw_payment(request.user, payment, reason=request.data.get("reason", ""))
        return Response(PaymentSerializer(payment).data)


# -- training (培训档案) ------------------------------------------------------------------------


class CourseSerializer(serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), required=False, allow_null=True
    )
    enrolled = serializers.IntegerField(read_only=True)
    completed_count = serializers.IntegerField(read_only=True)
    employed_after = serializers.IntegerField(read_only=True)
    filing_note = serializers.CharField(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "kind",
            "title",
            "provider",
            "allowance_class",
            "site",
            "starts_on",
            "ends_on",
            "planned_count",
            "filed_on",
            "workdays_ahead",
            "workdays_required",
            "filing_late",
            "filing_note",
            "enrolled",
            "completed_count",
            "employed_after",
            "note",
            "path",
        ]
        read_only_fields = ["workdays_ahead", "workdays_required", "filing_late", "path"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["site"].queryset = Site.objects.visible_to(request.user)


class CourseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """培训台账：每个培训班的类型、机构、时间、人数、参训/结业/培训后就业人数和备案情况
    （filing_late 备案不及时，filing_note 说明提前了几个工作日）。?late=true 只列备案不及时的；
    POST 登记培训班。"""

    module = "employment"
    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilter

    def get_queryset(self):
        return selectors.courses(self.request.user).order_by("-starts_on", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        created = services.save_course(self.request.user, None, **data)
        serializer.instance = selectors.courses(self.request.user).get(pk=created.pk)


class EnrolmentSerializer(serializers.ModelSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.none())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    person_name = serializers.CharField(source="person.name", read_only=True)
    job_after_kind = serializers.CharField(read_only=True, default=None)
    job_after_on = serializers.DateField(read_only=True, default=None)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "person",
            "person_name",
            "attended_days",
            "completed",
            "note",
            "job_after_kind",
            "job_after_on",
            "path",
        ]
        read_only_fields = ["path"]
        validators = []  # the service corrects an existing enrolment instead

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["course"].queryset = selectors.shared(Course, request.user)
            self.fields["person"].queryset = Person.objects.visible_to(request.user)


class EnrolmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """参训人员。POST（course、person、attended_days、completed、note）报名，或更正已报名者的
    出勤和结业；培训后就业（job_after_kind、job_after_on）由就业记录得出。"""

    module = "employment"
    queryset = Enrolment.objects.all()
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return selectors.enrolments(self.request.user).order_by("-course__starts_on", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        course, person = data.pop("course"), data.pop("person")
        saved = services.save_enrolment(self.request.user, course, person, **data)
        serializer.instance = self.get_queryset().get(pk=saved.pk)


class TraineesViewSet(LedgerViewSet):
    """培训人员清单：列与页面、Excel 相同；可按 q、kind、year、completed、employed 筛选。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.enrolments(request.user).order_by("-course__starts_on", "path", "id")
        return self.ledger_page(ledgers.TRAINEES, self.filtered(EnrolmentFilter, rows))


class UntrainedSitesViewSet(LedgerViewSet):
    """某年未开展培训的安置点（?year=2026，默认今年）：每个安置点每年至少开展一次培训。"""

    module = "employment"

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年份，默认今年")],
        responses={200: dict},
    )
    def list(self, request):
        from django.utils import timezone

        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise ValidationError({"year": ["年份应为 2000 至 2100 之间的整数，如 2026。"]})
        rows = selectors.untrained_sites(request.user, int(raw)).order_by("path", "name")
        return self.ledger_page(ledgers.UNTRAINED_SITES, rows)


class PostingImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class RecommendationViewSet(LedgerViewSet):
    """批量推荐：每名求职人员得分最高的在招岗位（名次、得分、匹配说明），列与页面、Excel 相同；
    可按 site（安置点）、q 筛选。由每晚的任务或 `anju employment match` 刷新。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.recommendations(request.user).order_by("path", "seeker_id", "rank")
        return self.ledger_page(ledgers.RECOMMENDATIONS, self.filtered(RecommendationFilter, rows))
