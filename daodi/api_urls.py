"""The REST API router: every /api/ endpoint is registered here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from daodi.catalog.api import views as catalog
from daodi.orgs.api import views as orgs
from daodi.trace.api import views as trace

router = DefaultRouter()
router.register("divisions", orgs.DivisionViewSet, basename="division")
router.register("organisations", orgs.OrganisationViewSet, basename="organisation")
router.register("sites", orgs.SiteViewSet, basename="site")
router.register("users", orgs.UserViewSet, basename="user")
router.register("tokens", orgs.ApiTokenViewSet, basename="token")
router.register("herbs", catalog.HerbViewSet, basename="herb")
router.register("grades", catalog.GradeViewSet, basename="grade")
router.register("indications", catalog.IndicationViewSet, basename="indication")
router.register("units", catalog.UnitViewSet, basename="unit")
router.register("trade-items", catalog.TradeItemViewSet, basename="tradeitem")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("trace/<path:identifier>", trace.TraceView.as_view(), name="trace"),
    path("", include(router.urls)),
]
