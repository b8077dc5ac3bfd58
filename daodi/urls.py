from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("daodi.api_urls")),
    path("epcis/", include("daodi.trace.epcis_rest.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("daodi.trace.resolver.urls")),
    path("", include("daodi.orgs.urls")),
    path("catalogue/", include("daodi.catalog.urls")),
    path("trace/", include("daodi.trace.urls")),
    path("farm/", include("daodi.farm.urls")),
    path("sourcing/", include("daodi.sourcing.urls")),
    path("quality/", include("daodi.quality.urls")),
    path("", include("daodi.web.urls")),
]
if settings.SERVE_MEDIA:
    media = settings.MEDIA_URL.strip("/")
    urlpatterns.insert(
        0, re_path(rf"^{media}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
