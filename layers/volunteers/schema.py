"""OpenAPI of the volunteer corps' API, beside the anonymised list's layer endpoints: a
volunteer's contacts through the reveal gate, one's own questionnaire, staff's paper
questionnaires, matching, assignments, help records, reviews and their moderation. Plain
Django views (JSON in and out), so a drf-spectacular hook describes them. Every write is a
POST with the CSRF token of a signed-in session; a refusal is JSON that says what to fix."""

from layers.areas.schema import json_response
from layers.help.schema import BAD_PATH, ID_IN_PATH, REFUSAL, refused

from .models import Review

TAG = "volunteers"
INTEGER = {"type": "integer"}
TEXT = {"type": "string"}
TEXTS = {"type": "array", "items": TEXT}
QUESTIONNAIRE = {"type": "object", "required": [
    "full_name", "phone", "birth_year", "gender", "settlement"], "properties": {
    "full_name": TEXT, "phone": {**TEXT, "example": "+7 701 234 56 78"}, "email": TEXT,
    "birth_year": INTEGER, "gender": {**TEXT, "description": "f or m"},
    "settlement": {**TEXT, "description": "the home settlement's KATO code"},
    "directions": {**TEXTS, "description": "codes of the controlled list"},
    "own_directions": {**TEXTS, "description": "directions of one's own, for a moderator "
                                               "to promote (at most 80 characters each)"},
    "slots": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 167},
              "description": "weekly hours, day × 24 + hour (0 = Monday 0:00); or give "
                             "days and hours"},
    "days": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}},
    "hours": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 23}},
    "education": TEXT, "experience": TEXT,
    "has_car": {"type": "boolean"}, "car_seats": {"type": "integer", "minimum": 0, "maximum": 8},
    "languages": {"type": "array", "items": {"type": "string", "enum": ["kk", "ru", "en"]}},
    "travel_km": {"type": "integer", "minimum": 1,
                  "description": "how far the volunteer will travel"}}}
MODERATION = {"type": "string", "enum": list(Review.Moderation.values)}


def _write(operation_id: str, summary: str, body: dict, answer: dict, *,
           path_id: str | None = None, not_found: str = "", conflict: str = "") -> dict:
    """A signed-in POST with a JSON body and a JSON answer."""
    responses = {
        "200": json_response("done", answer),
        "400": json_response("a value to fix (the message says which)", REFUSAL),
        "403": refused("not signed in, no right in the area, or no CSRF token")}
    if not_found:
        responses["404"] = json_response(not_found, REFUSAL)
    if conflict:
        responses["409"] = json_response(conflict, REFUSAL)
    parameters = [{**ID_IN_PATH, "description": path_id}] if path_id else []
    return {"post": {
        "operationId": operation_id, "tags": [TAG], "summary": summary,
        "parameters": parameters,
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": responses}}


def _object(**properties) -> dict:
    return {"type": "object", "required": list(properties), "properties": properties}


def add_volunteer_paths(result, generator, request, public):
    paths = result.setdefault("paths", {})
    paths["/api/volunteers/{pk}/reveal"] = {"post": {
        "operationId": "volunteers_reveal", "tags": [TAG],
        "summary": "A listed volunteer's name, phone and e-mail, for a requester whose "
                   "identity is confirmed, after a fresh step-up: audited, limited per day, "
                   "and the volunteer is told who asked",
        "parameters": [{**ID_IN_PATH, "description": "the card's id on the anonymised list"}],
        "responses": {
            "200": json_response("the contacts", _object(full_name=TEXT, phone=TEXT,
                                                         email=TEXT)),
            "400": BAD_PATH,
            "403": refused("not signed in, identity not confirmed or no fresh step-up (the "
                           "refusal says where to go), or no CSRF token"),
            "404": json_response("no such card on the list", REFUSAL),
            "429": json_response("today's reveals are used up", REFUSAL)}}}
    paths["/api/volunteers/me"] = _write(
        "volunteers_me", "Sign up as a volunteer, or change one's own questionnaire",
        QUESTIONNAIRE, _object(id=INTEGER, status=TEXT),
        conflict="the questionnaire clashes with one already held")
    paths["/api/volunteers/paper"] = _write(
        "volunteers_paper", "Staff of the area: enter a paper questionnaire (the same "
        "person entered again is found, not doubled)", QUESTIONNAIRE,
        _object(id=INTEGER, created={"type": "boolean"}),
        conflict="the questionnaire clashes with one already held")
    paths["/api/volunteers/match/me"] = {"get": {
        "operationId": "volunteers_match_me", "tags": [TAG],
        "summary": "For the signed-in volunteer: open help requests near them that fit their "
                   "directions, nearest first",
        "responses": {
            "200": json_response("the requests", _object(requests={
                "type": "array", "items": _object(request=INTEGER, distance_m=INTEGER,
                                                  url=TEXT)})),
            "400": BAD_PATH,
            "403": json_response("not signed in", REFUSAL),
            "404": json_response("not an active volunteer", REFUSAL)}}}
    paths["/api/volunteers/match/request/{pk}"] = {"get": {
        "operationId": "volunteers_match_request", "tags": [TAG],
        "summary": "Staff of the request's area: volunteers whose directions fit it, who are "
                   "available and within their own travel distance, nearest first",
        "parameters": [{**ID_IN_PATH, "description": "the help request's id"}],
        "responses": {
            "200": json_response("the volunteers", _object(volunteers={
                "type": "array", "items": _object(volunteer=INTEGER, distance_m=INTEGER)})),
            "400": BAD_PATH,
            "404": json_response("no such help request in your areas", REFUSAL)}}}
    paths["/api/volunteers/requests/{pk}/assign"] = _write(
        "volunteers_assign", "Staff of the request's area: offer the request to a volunteer",
        _object(volunteer=INTEGER), _object(assignment=INTEGER, status=TEXT),
        path_id="the help request's id", not_found="no such request in your areas, or no "
        "such volunteer", conflict="the volunteer has it already")
    paths["/api/volunteers/requests/{pk}/records"] = _write(
        "volunteers_record", "Record help a volunteer gave on a request",
        _object(volunteer=INTEGER, helped_on={**TEXT, "format": "date"}),
        _object(record=INTEGER), path_id="the help request's id",
        not_found="no such request or volunteer", conflict="that help is recorded already")
    paths["/api/volunteers/records/{pk}/confirm"] = _write(
        "volunteers_confirm", "Confirm a help record, once: by the person helped or the "
        "area's staff", _object(via={"type": "string", "enum": ["person", "staff"]}),
        _object(record=INTEGER, confirmed_at={**TEXT, "format": "date-time"}),
        path_id="the help record's id", not_found="no such help record",
        conflict="the record is confirmed already")
    paths["/api/volunteers/records/{pk}/review"] = _write(
        "volunteers_review", "Review confirmed help: positive or not, with a short text "
        "that a moderator checks", _object(positive={"type": "boolean"}, text=TEXT),
        _object(review=INTEGER, moderation=MODERATION), path_id="the help record's id",
        not_found="no such help record", conflict="the record has a review already")
    paths["/api/volunteers/reviews/{pk}/moderate"] = _write(
        "volunteers_moderate", "A moderator of the area approves or rejects a review",
        _object(approve={"type": "boolean"}), _object(review=INTEGER, moderation=MODERATION),
        path_id="the review's id", not_found="no such review",
        conflict="the review is moderated already")
    return result
