"""Spatial questions over HTTP: the answer as GeoJSON, CSV or GeoPackage, saving a question,
its permalink, and the page with the map tool."""

import json
import re

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gis_portal.views import map_config
from layers.core.errors import BadQuery, error_response
from layers.core.geojson import dumps

from .actions import save_question
from .exports import answer_csv, answer_geopackage
from .models import SavedQuestion
from .spatial import QUESTIONS, get_question

GEOJSON = "application/geo+json"
# What a saved question's short id can look like (the permalink's slug).
SHORT_ID = re.compile(r"[-a-zA-Z0-9_]{1,16}")
FORMATS = ("geojson", "csv", "gpkg")


def _answer_response(answer, fmt: str, filename: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(answer_csv(answer), content_type="text/csv; charset=utf-8")
    elif fmt == "gpkg":
        response = HttpResponse(answer_geopackage(answer),
                                content_type="application/geopackage+sqlite3")
    else:
        return HttpResponse(answer.geojson_text(), content_type=GEOJSON)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _format(params) -> str:
    fmt = params.get("format") or "geojson"
    if fmt not in FORMATS:
        raise BadQuery(_("format must be one of: %(formats)s") % {"formats": ", ".join(FORMATS)},
                       "format")
    return fmt


def catalogue() -> list[dict]:
    return [{"kind": q.kind, "title": str(q.title), "parameters": list(q.parameters),
             "url": f"/api/questions/{q.kind}/"} for q in QUESTIONS.values()]


@require_GET
def catalogue_api(request):
    return JsonResponse({"questions": catalogue(), "saved": "/api/questions/saved/"})


# POST carries the same parameters as a JSON object, for shapes too long for a URL (a server's
# request line is a few kilobytes). It only reads, so it needs no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def answer_api(request, kind):
    """GET /api/questions/<kind>/?<parameters>[&format=csv|gpkg]: the answer on today's data;
    or POST the parameters as a JSON object (geometry as a GeoJSON object or text)."""
    try:
        params = request.GET if request.method == "GET" else _json_parameters(request)
        fmt = _format(params)
        answer = get_question(kind).run(params)
    except BadQuery as error:
        return error_response(error)
    return _answer_response(answer, fmt, f"{kind}-{timezone.localdate():%Y-%m-%d}")


def _json_parameters(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadQuery(_("send the parameters as a JSON object"), "body") from None
    if not isinstance(body, dict):
        raise BadQuery(_("send the parameters as a JSON object"), "body")
    return {k: json.dumps(v) if isinstance(v, dict | list) else str(v)
            for k, v in body.items() if v is not None}


@require_http_methods(["POST"])
def save_api(request):
    """POST /api/questions/saved/ {"kind": ..., "parameters": {...}}: 201 with the permalink."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("send a JSON object: {\"kind\": ..., \"parameters\": "
                                        "{...}}")}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
        return JsonResponse({"error": _("give kind, one of: %(kinds)s")
                             % {"kinds": ", ".join(QUESTIONS)}, "parameter": "kind"},
                            status=400)
    try:
        saved = save_question(user=request.user, kind=body["kind"],
                              parameters=body.get("parameters") or {})
    except BadQuery as error:
        return error_response(error)
    return JsonResponse(_saved_body(saved), status=201)


def _saved_body(saved: SavedQuestion) -> dict:
    return {"id": saved.short_id, "kind": saved.kind, "parameters": saved.parameters,
            "saved_at": saved.saved_at.isoformat(), "url": saved.get_absolute_url(),
            "api": f"/api/questions/saved/{saved.short_id}/"}


def _saved_or_404(short_id: str) -> SavedQuestion:
    saved = SavedQuestion.objects.filter(short_id=short_id).first()
    if saved is None:
        raise Http404(_("no saved question %(id)s") % {"id": short_id})
    return saved


@require_GET
def saved_api(request, short_id):
    """The saved question re-run on today's data, with when it was saved."""
    saved = (SavedQuestion.objects.filter(short_id=short_id).first()
             if SHORT_ID.fullmatch(short_id) else None)
    if saved is None:
        return JsonResponse({"error": _("no saved question %(id)s") % {"id": short_id}},
                            status=404)
    try:
        fmt = _format(request.GET)
        answer = get_question(saved.kind).run(saved.parameters)
    except BadQuery as error:
        return error_response(error)
    if fmt != "geojson":
        return _answer_response(answer, fmt, f"{saved.kind}-{saved.short_id}")
    body = _saved_body(saved)
    text = answer.geojson_text()
    return HttpResponse(f'{dumps(body)[:-1]},"answer":{text}}}', content_type=JSON_TYPE)


JSON_TYPE = "application/json"


def _page(request, saved: SavedQuestion | None):
    config = {**map_config(), "questions": catalogue(),
              "minGroup": settings.TZ_PRIVACY_MIN_GROUP,
              "saveUrl": "/api/questions/saved/"}
    if saved is not None:
        config["saved"] = _saved_body(saved)
    return render(request, "questions/page.html", {
        "questions": QUESTIONS.values(), "saved": saved, "questions_config": config})


@require_GET
def page(request):
    return _page(request, None)


@require_GET
def saved_page(request, short_id):
    return _page(request, _saved_or_404(short_id))
