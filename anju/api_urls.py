from rest_framework.routers import DefaultRouter

from anju.accounts.api import RoleViewSet, UserViewSet
from anju.audit.api import AuditLogViewSet
from anju.employment.api import (
    BatchViewSet,
    CourseViewSet,
    EmployerViewSet,
    EnrolmentViewSet,
    HelpViewSet,
    HouseholdLedgerViewSet,
    MonthsViewSet,
    PostingViewSet,
    PublicPostViewSet,
    RecommendationViewSet,
    RecordViewSet,
    RetentionViewSet,
    RosterViewSet,
    SubsidyEligibleViewSet,
    SubsidyPersonViewSet,
    TraineesViewSet,
    UntrainedSitesViewSet,
    WorkshopCheckViewSet,
    WorkshopLedgerViewSet,
    WorkshopQuarterViewSet,
    WorkshopViewSet,
)
from anju.exports.api import ExportJobViewSet
from anju.monitoring.api import (
    CoverageViewSet,
    ExchangeViewSet,
    FeedViewSet,
    IncomeViewSet,
    LeadViewSet,
    MonitoredLedgerViewSet,
    PolicyLedgerViewSet,
    SignalViewSet,
    VisitViewSet,
    WarningViewSet,
)
from anju.orgs.api import (
    AdminUnitViewSet,
    BuildingViewSet,
    GridViewSet,
    PositionViewSet,
    SiteViewSet,
)
from anju.policies.api import ParameterValueViewSet
from anju.registry.api import (
    HouseholdViewSet,
    PersonViewSet,
    RegistryReportViewSet,
    SiteProfileViewSet,
)

router = DefaultRouter()
router.register("admin-units", AdminUnitViewSet, basename="admin-unit")
router.register("sites", SiteViewSet, basename="site")
router.register("grids", GridViewSet, basename="grid")
router.register("buildings", BuildingViewSet, basename="building")
router.register("positions", PositionViewSet, basename="position")
router.register("roles", RoleViewSet, basename="role")
router.register("users", UserViewSet, basename="user")
router.register("audit-logs", AuditLogViewSet, basename="audit-log")
router.register("policy-values", ParameterValueViewSet, basename="policy-value")
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("site-profiles", SiteProfileViewSet, basename="site-profile")
router.register("registry", RegistryReportViewSet, basename="registry")
router.register("exports", ExportJobViewSet, basename="export")
router.register("visits", VisitViewSet, basename="visit")
router.register("incomes", IncomeViewSet, basename="income")
router.register("leads", LeadViewSet, basename="lead")
router.register("warnings", WarningViewSet, basename="warning")
router.register("feeds", FeedViewSet, basename="feed")
router.register("monitoring/ledger", MonitoredLedgerViewSet, basename="monitored-ledger")
router.register("monitoring/policies", PolicyLedgerViewSet, basename="policy-ledger")
router.register("monitoring/exchange", ExchangeViewSet, basename="national-exchange")
router.register("employment/records", RecordViewSet, basename="employment-record")
router.register("employment/helps", HelpViewSet, basename="employment-help")
router.register("employment/roster", RosterViewSet, basename="employment-roster")
router.register("employment/households", HouseholdLedgerViewSet, basename="employment-households")
router.register("employment/months", MonthsViewSet, basename="employment-months")
router.register("employment/retentions", RetentionViewSet, basename="employment-retention")
router.register("employment/employers", EmployerViewSet, basename="employment-employer")
router.register("employment/postings", PostingViewSet, basename="employment-posting")
router.register("employment/workshops", WorkshopViewSet, basename="employment-workshop")
router.register(
    "employment/workshop-quarters", WorkshopQuarterViewSet, basename="employment-workshop-quarter"
)
router.register(
    "employment/workshop-ledger", WorkshopLedgerViewSet, basename="employment-workshop-ledger"
)
router.register(
    "employment/workshop-checks", WorkshopCheckViewSet, basename="employment-workshop-check"
)
router.register("employment/public-posts", PublicPostViewSet, basename="employment-public-posts")
router.register(
    "employment/subsidies/eligible", SubsidyEligibleViewSet, basename="employment-subsidy-eligible"
)
router.register(
    "employment/subsidies/persons", SubsidyPersonViewSet, basename="employment-subsidy-person"
)
router.register("employment/subsidies/batches", BatchViewSet, basename="employment-batch")
router.register("employment/courses", CourseViewSet, basename="employment-course")
router.register("employment/enrolments", EnrolmentViewSet, basename="employment-enrolment")
router.register("employment/trainees", TraineesViewSet, basename="employment-trainees")
router.register(
    "employment/untrained-sites", UntrainedSitesViewSet, basename="employment-untrained-sites"
)
router.register(
    "employment/recommendations", RecommendationViewSet, basename="employment-recommendation"
)
router.register("signals", SignalViewSet, basename="signal")
router.register("monitoring/coverage", CoverageViewSet, basename="monitoring-coverage")

urlpatterns = router.urls
