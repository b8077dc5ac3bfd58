from django.urls import path

from . import exchange_views

app_name = "exchange"

urlpatterns = [
    path("", exchange_views.exchange_page, name="index"),
    path("export/<slug:kind>/", exchange_views.export_view, name="export"),
    path("template/<slug:kind>/", exchange_views.template_view, name="template"),
]
