"""OpenAPI of the help layer's own API, beside the layer's list, tiles and stats: the
contacts of a person who needs help, through the reveal gate. A plain Django view, so a
drf-spectacular hook describes it. Its refusals and the CSRF answer are shared with the
volunteer corps' API (layers.volunteers.schema)."""

from layers.areas.schema import CSRF_REFUSED, json_response

TAG = "help"
ID_IN_PATH = {"name": "pk", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}}
REFUSAL = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "description": "what is wrong and how to fix it"},
    "code": {"type": "string", "description": "why, for programs"},
    "field": {"type": "string", "nullable": True, "description": "the field at fault"},
    "action_url": {"type": "string", "description": "a page where the user can do what is "
                                                   "missing (confirm their identity, …)"},
    "action_label": {"type": "string"}}}


def refused(description: str) -> dict:
    """A 403: the API's JSON refusal, or Django's CSRF page."""
    return {"description": description, "content": {
        "application/json": {"schema": REFUSAL}, **CSRF_REFUSED["content"]}}


BAD_PATH = json_response("a control character in the address, refused before the view",
                         REFUSAL)


def add_help_paths(result, generator, request, public):
    result.setdefault("paths", {})["/api/help/{pk}/reveal"] = {"post": {
        "operationId": "help_reveal", "tags": [TAG],
        "summary": "The person's full name, phone and address, for a helper whose identity "
                   "is confirmed, after a fresh step-up: audited, limited per day",
        "parameters": [{**ID_IN_PATH, "description": "the help request's id"}],
        "responses": {
            "200": json_response("the contacts", {
                "type": "object", "required": ["full_name", "phone", "address"],
                "properties": {"full_name": {"type": "string"},
                               "phone": {"type": "string"},
                               "address": {"type": "string", "nullable": True}}}),
            "400": BAD_PATH,
            "403": refused("not signed in, identity not confirmed, no fresh step-up (the "
                           "refusal says where to go), or no CSRF token"),
            "404": json_response("no such public help request", REFUSAL),
            "409": json_response("the request no longer takes helpers", REFUSAL),
            "429": json_response("today's reveals are used up", REFUSAL)}}}
    return result
