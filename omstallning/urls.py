"""Root URL configuration. URLs are Swedish, as users see them; each app owns its own urls.py."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("omstallning.core.urls")),
    path("konto/", include("omstallning.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("eligibility.urls")),
    path("", include("registry.urls")),
    path("", include("applications.urls")),
    path("", include("advisors.urls")),
    path("", include("applications.yttrande.urls")),
    path("", include("statistics.urls")),
]

handler404 = "omstallning.core.views.page_not_found"
handler500 = "omstallning.core.views.server_error"
