"""Plaque pages, QR codes and the printable plate sheet.

- /p/<code>: the page a plaque's QR code opens. Built for a phone on a slow connection: one
  small HTML page and one small stylesheet, no script, no map tiles. It is shown in the
  visitor's language (cards.visitor_language) and each text falls back on its own to Kazakh,
  then Russian, marked with its own lang attribute.
- /p/<code>/qr.svg, /p/<code>/qr.png: the QR code of the absolute short URL
  (settings.TZ_PUBLIC_BASE_URL, never the request's Host).
- /plaques/sheet/: staff choose a layer and an area (or a list of objects) and receive the
  PDF of one plate per object.
"""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gis_portal.accounts.permissions import AREA_FREE_ACTIONS, Action, areas_where
from layers.areas.models import AdminArea

from . import actions
from .cards import LANGUAGES, Card, visitor_language
from .models import Plaque
from .qr import qr_png, qr_svg
from .sheet import Plate, plate_sheet_pdf

# A plate's QR code never changes for its code; a day of caching spares slow connections.
QR_MAX_AGE = 24 * 3600
# The zoom the "open on the map" link shows the object at.
MAP_ZOOM = 14
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def not_found(request, message: str):
    """The plaque 404 page, in the visitor's language (the message was made in it too)."""
    language = visitor_language(request)
    with translation.override(language):
        response = render(request, "plaques/not_found.html",
                          {"message": message, "language": language}, status=404)
    response.headers["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def map_link(layer, obj) -> str:
    """The portal's map centred on the object with its layer on (the map's permalink)."""
    geometry = getattr(obj, layer.public_geometry_field, None)
    if geometry is None or geometry.empty:
        return ""
    point = geometry if geometry.geom_type == "Point" else geometry.point_on_surface
    return f"{reverse('map')}#map={MAP_ZOOM}/{point.y:.5f}/{point.x:.5f}&layers={layer.slug}"


def plaque_page(request, code: str):
    language = visitor_language(request)
    with translation.override(language):
        try:
            found = actions.find_plaque(code, request)
        except actions.NotFound as error:
            return not_found(request, error.message)
        card = Card.from_layer(found.layer, found.obj, language)
        context = {
            "card": card,
            "language": language,
            "languages": [{"code": other, "name": LANGUAGE_NAMES[other],
                           "current": other == language} for other in LANGUAGES],
            "plaque": found.plaque,
            "map_url": map_link(found.layer, found.obj),
        }
        response = render(request, "plaques/plaque.html", context)
    response.headers["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _plaque_or_404(request, code: str) -> Plaque | HttpResponse:
    plaque = actions.plaque_by_code(code)
    if plaque is None:
        with translation.override(visitor_language(request)):
            return not_found(request, actions.unknown_code_message(code))
    return plaque


def _qr_response(body: bytes, content_type: str, plaque: Plaque, extension: str):
    response = HttpResponse(body, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f'inline; filename="plaque-{plaque.code}.{extension}"')
    patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response


def qr_svg_view(request, code: str):
    plaque = _plaque_or_404(request, code)
    if isinstance(plaque, HttpResponse):
        return plaque
    return _qr_response(qr_svg(plaque.short_url), "image/svg+xml", plaque, "svg")


def qr_png_view(request, code: str):
    plaque = _plaque_or_404(request, code)
    if isinstance(plaque, HttpResponse):
        return plaque
    return _qr_response(qr_png(plaque.short_url), "image/png", plaque, "png")


# --- the plate sheet -------------------------------------------------------------------------

def managed_areas(user) -> list[AdminArea]:
    """Areas to suggest on the sheet form: those the user holds a staff role for, with the
    areas one level below; every oblast (and district) for country-wide roles."""
    roots: set = set()
    for action in Action:
        if action in AREA_FREE_ACTIONS:
            continue
        where = areas_where(user, action)
        if where is None:
            roots = set(AdminArea.objects.filter(generation__is_current=True, level="oblast"))
            break
        roots |= where
    if not roots:
        return []
    children = AdminArea.objects.filter(generation__is_current=True, parent__in=roots)
    return sorted({*roots, *children}, key=lambda area: area.kato)


class SheetForm(forms.Form):
    layer = forms.ChoiceField(label=gettext_lazy("Layer"))
    # A select of the user's areas; a plain CharField underneath, so the action, not the
    # form, decides (and says) whether the user may print an area's plates.
    area = forms.CharField(
        label=gettext_lazy("Area"), required=False, max_length=12, widget=forms.Select,
        help_text=gettext_lazy("Every public object of this area gets a plate; with ids "
                               "below, only the listed ones."))
    objects = forms.CharField(
        label=gettext_lazy("Object ids (optional)"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Separated by commas or new lines, e.g. 12, 15, 31."))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [(layer.slug, layer.title)
                                        for layer in actions.plaque_layers()]
        self.fields["area"].widget.choices = [("", _("— only the listed objects —"))] + [
            (area.kato, f"{area.name} · {area.get_level_display()} · {area.kato}")
            for area in areas]

    def clean_objects(self) -> list[int]:
        try:
            return actions.parse_object_ids(self.cleaned_data["objects"])
        except actions.PlaqueError as error:
            raise forms.ValidationError(error.message) from error


class SheetView(View):
    template_name = "plaques/sheet.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, request, form, areas, status=200):
        if not areas and status == 200:
            status = 403
        return render(request, self.template_name,
                      {"form": form, "areas": areas, "max_plates": actions.MAX_PLATES},
                      status=status)

    def get(self, request):
        areas = managed_areas(request.user)
        # ?layer=&area= preselect, so an object's page can link to its area's sheet.
        form = SheetForm(areas=areas, initial={"layer": request.GET.get("layer", ""),
                                               "area": request.GET.get("area", "")})
        return self.render_form(request, form, areas)

    def post(self, request):
        areas = managed_areas(request.user)
        form = SheetForm(request.POST, areas=areas)
        if not form.is_valid():
            return self.render_form(request, form, areas, status=400)
        try:
            selection = actions.select_for_sheet(
                user=request.user, layer_slug=form.cleaned_data["layer"],
                area_kato=form.cleaned_data["area"], object_ids=form.cleaned_data["objects"])
            plaques = actions.plaques_for(layer=selection.layer, objects=selection.objects,
                                          user=request.user)
        except actions.PlaqueError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            return self.render_form(request, form, areas, status=error.status)
        layer = selection.layer
        plates = [Plate(names=[layer.plaque_names(obj).get(code, "") for code in LANGUAGES],
                        short_url=plaques[obj.pk].short_url, caption=str(layer.title))
                  for obj in selection.objects]
        place = selection.area.kato if selection.area else "selection"
        title = _("QR plaques: %(layer)s, %(place)s") % {
            "layer": layer.title, "place": selection.area.name if selection.area else
            _("selected objects")}
        response = HttpResponse(plate_sheet_pdf(plates, title), content_type="application/pdf")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="plaques-{slugify(layer.slug)}-{place}.pdf"')
        patch_cache_control(response, private=True, no_store=True)
        return response
