"""The employment API: the same rows and figures as the pages, through the same selectors and
services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anju.core.api import LedgerViewSet, ScopedViewSet
from anju.registry.models import Person

from . import choices, ledgers, selectors, services
from .filters import (
    EmployerFilter,
    HelpFilter,
    HouseholdsFilter,
    PostingFilter,
    RecommendationFilter,
    RecordFilter,
    RosterFilter,
)
from .models import Employer, EmploymentRecord, Posting, Unemployment


class RecordSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    person_name = serializers.CharField(source="person.name", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)

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
            "note",
            "path",
        ]
        read_only_fields = ["ended_on", "end_reason", "path"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # only persons the user sees may be named
            self.fields["person"].queryset = Person.objects.visible_to(request.user)


class EndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=choices.END_REASONS)
    helper = serializers.CharField(required=False, allow_blank=True, default="")


class RecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """就业记录。POST 登记就业；POST …/end/（ended_on、reason、helper）结束一份工作，
    reason=lost 时登记失业、开启一对一帮扶并按监测规则比对该户。"""

    module = "employment"
    queryset = EmploymentRecord.objects.all()
    serializer_class = RecordSerializer
    filterset_class = RecordFilter

    def get_queryset(self):
        return selectors.records(self.request.user).order_by("path", "-started_on", "id")

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
        fs = RosterFilter(request.query_params, queryset=rows, request=request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        return self.ledger_page(ledgers.ROSTER, fs.qs)


class HouseholdLedgerViewSet(LedgerViewSet):
    """家庭就业扶贫台账：每户家庭人数、劳动力、就业人数、应就业人数；status=below 未达家庭就业
    要求，status=zero 零就业家庭。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.households(request.user).order_by("path", "number")
        fs = HouseholdsFilter(request.query_params, queryset=rows, request=request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        return self.ledger_page(ledgers.HOUSEHOLDS, fs.qs)


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


class RecommendationViewSet(LedgerViewSet):
    """批量推荐：每名求职人员得分最高的在招岗位（名次、得分、匹配说明），列与页面、Excel 相同；
    可按 site（安置点）、q 筛选。由每晚的任务或 `anju employment match` 刷新。"""

    module = "employment"

    @extend_schema(responses={200: dict})
    def list(self, request):
        rows = selectors.recommendations(request.user).order_by("path", "seeker_id", "rank")
        fs = RecommendationFilter(request.query_params, queryset=rows, request=request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        return self.ledger_page(ledgers.RECOMMENDATIONS, fs.qs)
