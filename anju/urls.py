from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from anju.accounts.views import LoginView
from anju.core import views as core
from anju.monitoring import public as monitoring_public

urlpatterns = [
    path("", core.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("healthz", core.healthz, name="healthz"),
    path("orgs/", include("anju.orgs.urls")),
    path("accounts/", include("anju.accounts.urls")),
    path("audit/", include("anju.audit.urls")),
    path("policies/", include("anju.policies.urls")),
    path("registry/", include("anju.registry.urls")),
    path("exports/", include("anju.exports.urls")),
    path("monitoring/", include("anju.monitoring.urls")),
    path("employment/", include("anju.employment.urls")),
    # The page a household's self-report card opens (农户自主申报): public, short for the QR code.
    path("r/<str:token>/", monitoring_public.self_report, name="self-report"),
    # The schema answers a signed-in browser or a token; the docs page sends a visitor to log in.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="schema", permission_classes=[IsAuthenticated]
            )
        ),
        name="api-docs",
    ),
    path("api/", include("anju.api_urls")),
]

handler400 = "anju.core.views.error_400"
handler403 = "anju.core.views.error_403"
handler404 = "anju.core.views.error_404"
handler500 = "anju.core.views.error_500"
