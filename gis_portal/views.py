from django.conf import settings
from django.views.generic import TemplateView


class MapView(TemplateView):
    """The interactive map: layers, filters and areas all come from the API."""

    template_name = "map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["basemap_url"] = settings.TZ_BASEMAP_URL
        context["basemap_attribution"] = settings.TZ_BASEMAP_ATTRIBUTION
        return context
