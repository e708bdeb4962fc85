from rest_framework.routers import DefaultRouter

from anju.accounts.api import RoleViewSet, UserViewSet
from anju.audit.api import AuditLogViewSet
from anju.employment.api import (
    EmployerViewSet,
    HelpViewSet,
    HouseholdLedgerViewSet,
    PostingViewSet,
    RecommendationViewSet,
    RecordViewSet,
    RosterViewSet,
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
router.register("employment/employers", EmployerViewSet, basename="employment-employer")
router.register("employment/postings", PostingViewSet, basename="employment-posting")
router.register(
    "employment/recommendations", RecommendationViewSet, basename="employment-recommendation"
)
router.register("signals", SignalViewSet, basename="signal")
router.register("monitoring/coverage", CoverageViewSet, basename="monitoring-coverage")

urlpatterns = router.urls
