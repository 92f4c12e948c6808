from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from layers.areas import urls as areas_urls

from . import views

urlpatterns = [
    path("api/layers/", include("layers.core.urls")),
    path("api/areas/", include("layers.areas.urls")),
    path("settlements/", include(areas_urls.settlement_page_patterns)),
    path("tiles/", include("tiles.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's initialiser as a script of its own (the site's policy allows no inline
    # script); its page keeps one small inline stylesheet.
    path("api/docs/", csp_update({"style-src": [SELF, UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("gis_portal.accounts.urls")),
    path("identity/", include("gis_portal.identity.urls")),
    path("admin/", admin.site.urls),
    # Each of these apps names its own prefixes (pages and /api/<app>/…) in its urls.py.
    path("", include("gis_portal.photos.urls")),
    path("", include("gis_portal.funding.urls")),
    path("", include("gis_portal.plaques.urls")),
    path("", include("gis_portal.ogc.urls")),
    path("", include("gis_portal.questions.urls")),
    path("", include("layers.projects.urls")),
    path("", include("layers.investments.urls")),
    path("", include("layers.help.urls")),
    path("", include("layers.volunteers.urls")),
    path("", include("layers.heritage.urls")),
    path("", include("layers.routes.urls")),
    path("", views.MapView.as_view(), name="map"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()


