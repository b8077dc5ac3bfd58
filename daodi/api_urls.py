"""The REST API router: every /api/ endpoint is registered here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from daodi.catalog.api import views as catalog
from daodi.farm.api import views as farm
from daodi.orgs.api import views as orgs
from daodi.quality.api import views as quality
from daodi.sourcing.api import views as sourcing
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
router.register("plots", farm.PlotViewSet, basename="plot")
router.register("farm-records", farm.FarmRecordViewSet, basename="farmrecord")
router.register("harvests", farm.HarvestViewSet, basename="harvest")
router.register("processing-runs", farm.ProcessingViewSet, basename="processing")
router.register("banned-pesticides", farm.BannedPesticideViewSet, basename="bannedpesticide")
router.register("purchases", sourcing.PurchaseViewSet, basename="purchase")
router.register("sellers", sourcing.SellerViewSet, basename="seller")
router.register("dispatches", sourcing.DispatchViewSet, basename="dispatch")
router.register("comminglings", sourcing.ComminglingViewSet, basename="commingling")
router.register("pallets", sourcing.PalletViewSet, basename="pallet")
router.register("packing-runs", sourcing.PackingViewSet, basename="packing")
router.register("losses", sourcing.LossViewSet, basename="loss")
router.register("gi-claims", sourcing.GIClaimViewSet, basename="giclaim")
router.register("spec-sets", quality.SpecSetViewSet, basename="specset")
router.register("spec-items", quality.SpecItemViewSet, basename="specitem")
router.register("samples", quality.SampleViewSet, basename="sample")
router.register("test-orders", quality.TestOrderViewSet, basename="testorder")
router.register("results", quality.ResultViewSet, basename="result")
router.register("certificates", quality.CertificateViewSet, basename="certificate")
router.register("notifications", quality.NotificationViewSet, basename="notification")
router.register("column-mappings", quality.ColumnMappingViewSet, basename="columnmapping")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("trace/<path:identifier>", trace.TraceView.as_view(), name="trace"),
    path("mass-balance/", sourcing.MassBalanceView.as_view(), name="mass-balance"),
    path("gi-violations/", sourcing.GIViolationsView.as_view(), name="gi-violations"),
    path("", include(router.urls)),
]
