"""OpenAPI of the investment projects API. Its views are plain Django views (the planner's
gap query is kept as thin as the raw SQL it runs), so a drf-spectacular hook describes them:
the project list (home region first on request), the planner's gaps as GeoJSON and CSV, an
investor's interest and the staff's list of interested investors."""

from layers.areas.schema import CSRF_REFUSED, KATO, NUMBER, json_response, lang_parameter

from .gaps import MAX_GAPS, MAX_WITHIN_KM
from .models import InvestmentProject, Sector

TAG = "investments"
LANG_PARAMETER = lang_parameter("titles, names and labels")
ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "description": "what is wrong and how to fix it"},
    "field": {"type": "string", "description": "the parameter or field at fault"}}}
SAMPLE_NOTE = {"type": "string", "nullable": True,
               "description": "\"sample values, not official statistics\" when the figure is "
                              "made up for the demo"}
PROJECT_ID = {"name": "pk", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
              "description": "the project's id"}

PROJECT = {"type": "object", "required": [
    "id", "title", "sector", "sector_label", "status", "status_label", "investment_needed",
    "jobs_created", "settlement", "settlement_name", "district", "oblast", "unemployment_rate",
    "employment_year", "employment_is_sample", "employment_note", "url"], "properties": {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "sector": {"type": "string", "enum": list(Sector.values)},
    "sector_label": {"type": "string"},
    "status": {"type": "string", "enum": list(InvestmentProject.Status.values)},
    "status_label": {"type": "string"},
    "investment_needed": {"type": "string", "description": "tenge, a decimal as text"},
    "jobs_created": {"type": "integer"},
    "settlement": KATO,
    "settlement_name": {"type": "string"},
    "district": {**KATO, "nullable": True},
    "oblast": {**KATO, "nullable": True},
    "unemployment_rate": {**NUMBER, "nullable": True,
                          "description": "the settlement's latest indicator, %"},
    "employment_year": {"type": "integer", "nullable": True},
    "employment_is_sample": {"type": "boolean", "nullable": True},
    "employment_note": SAMPLE_NOTE,
    "url": {"type": "string", "description": "the project's page"},
    "home_rank": {"type": "integer", "description": "with home_first=1: 0 your home "
                                                    "district, 1 your home oblast, 2 elsewhere"},
}}
PROJECT_LIST = {"type": "object", "required": ["projects"], "properties": {
    "projects": {"type": "array", "items": PROJECT, "maxItems": 500},
    "notice": {"type": "string", "description": "present when a figure is a sample"}}}

GAP = {"type": "object", "required": ["type", "id", "geometry", "properties"], "properties": {
    "type": {"type": "string", "enum": ["Feature"]},
    "id": {"type": "integer", "description": "the settlement's id"},
    "geometry": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": NUMBER, "minItems": 2, "maxItems": 2}}},
    "properties": {"type": "object", "required": [
        "kato", "name", "oblast", "district", "year", "working_age_population", "employed",
        "unemployed", "unemployment_rate", "source", "is_sample", "note", "url"], "properties": {
        "kato": KATO, "name": {"type": "string"},
        "oblast": {**KATO, "nullable": True}, "district": {**KATO, "nullable": True},
        "year": {"type": "integer"},
        "working_age_population": {"type": "integer"},
        "employed": {"type": "integer"}, "unemployed": {"type": "integer"},
        "unemployment_rate": {**NUMBER, "description": "%"},
        "source": {"type": "string"}, "is_sample": {"type": "boolean"}, "note": SAMPLE_NOTE,
        "url": {"type": "string", "description": "the settlement's page"}}}}}
GAP_COLLECTION = {"type": "object",
                  "required": ["type", "query", "numberReturned", "features"], "properties": {
                      "type": {"type": "string", "enum": ["FeatureCollection"]},
                      "query": {"type": "object", "description": "the query as understood "
                                                              "(defaults filled in)",
                                "additionalProperties": {"type": "string"}},
                      "numberReturned": {"type": "integer", "maximum": MAX_GAPS},
                      "features": {"type": "array", "items": GAP},
                      "notice": {"type": "string",
                                 "description": "present when a figure is a sample"}}}
GAP_PARAMETERS = [
    {"name": "within_km", "in": "query", "schema": NUMBER,
     "description": f"no project (other than a cancelled one) within this many km, above 0 "
                    f"and at most {MAX_WITHIN_KM:g} (default: the portal's setting, 25)"},
    {"name": "min_rate", "in": "query", "schema": NUMBER,
     "description": "the settlement's latest unemployment rate at least this, %, 0 to 100 "
                    "(default: the portal's setting, 10)"},
    {"name": "area", "in": "query", "schema": KATO,
     "description": "only this oblast, district or rural okrug (default: the country)"},
    LANG_PARAMETER,
]
INTEREST = {"type": "object", "required": [
    "id", "investor", "email", "phone", "home_area", "native_rank", "native", "message",
    "created_at"], "properties": {
    "id": {"type": "integer"}, "investor": {"type": "string"},
    "email": {"type": "string"}, "phone": {"type": "string"},
    "home_area": {**KATO, "nullable": True},
    "native_rank": {"type": "integer",
                    "description": "0 from the project's district, 1 its oblast, 2 elsewhere"},
    "native": {"type": "string"}, "message": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"}}}


def add_investment_paths(result, generator, request, public):
    paths = result.setdefault("paths", {})
    bad = json_response("a parameter to fix (the message says which and how)", ERROR)
    paths["/api/investments/projects/"] = {"get": {
        "operationId": "investments_projects", "tags": [TAG],
        "summary": "Investment projects (at most 500, newest first, or your home region "
                   "first)",
        "parameters": [
            {"name": "sector", "in": "query",
             "schema": {"type": "string", "enum": list(Sector.values)}},
            {"name": "status", "in": "query",
             "schema": {"type": "string", "enum": list(InvestmentProject.Status.values)}},
            {"name": "area", "in": "query", "schema": KATO,
             "description": "only this oblast, district or rural okrug"},
            {"name": "home_first", "in": "query", "schema": {"type": "string",
                                                              "enum": ["0", "1"]},
             "description": "1: projects of your home district first, then your home oblast "
                            "(signed in)"},
            LANG_PARAMETER],
        "responses": {"200": json_response("the projects", PROJECT_LIST), "400": bad}}}
    paths["/api/investments/gaps/"] = {"get": {
        "operationId": "investments_gaps", "tags": [TAG],
        "summary": "The planner's gaps: low-employment settlements with no investment project "
                   "within N km, highest unemployment first",
        "parameters": GAP_PARAMETERS,
        "responses": {"200": {"description": "the settlements, as GeoJSON points",
                              "content": {"application/geo+json": {"schema": GAP_COLLECTION}}},
                      "400": bad}}}
    paths["/api/investments/gaps.csv"] = {"get": {
        "operationId": "investments_gaps_csv", "tags": [TAG],
        "summary": "The planner's gaps as CSV (UTF-8 with a byte order mark, for spreadsheets)",
        "parameters": GAP_PARAMETERS,
        "responses": {"200": {"description": "one row per settlement", "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}}}}, "400": bad}}}
    paths["/api/investments/{pk}/interest"] = {"post": {
        "operationId": "investments_interest", "tags": [TAG],
        "summary": "Signed in: register your interest in investing in a project",
        "parameters": [PROJECT_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["message"], "properties": {
                "message": {"type": "string", "description": "who you are, what you could "
                                                            "invest, how to reach you"}}}}}},
        "responses": {
            "201": json_response("registered", {
                "type": "object", "required": ["id", "project"],
                "properties": {"id": {"type": "integer"}, "project": {"type": "integer"}}}),
            "400": json_response("the message to fix", ERROR),
            "403": {"description": "not signed in (JSON), or no valid CSRF token (HTML)",
                    "content": {"application/json": {"schema": ERROR},
                                **CSRF_REFUSED["content"]}},
            "404": json_response("no such project", ERROR),
            "409": json_response("the project no longer takes interest, or you have "
                                 "registered already", ERROR)}}}
    paths["/api/investments/{pk}/interests"] = {"get": {
        "operationId": "investments_interests", "tags": [TAG],
        "summary": "The project's responsible staff: interested investors, natives of the "
                   "project's district first, then of its oblast",
        "parameters": [PROJECT_ID],
        "responses": {
            "200": json_response("the interests", {
                "type": "object", "required": ["project", "interests"], "properties": {
                    "project": {"type": "integer"},
                    "interests": {"type": "array", "items": INTEREST}}}),
            "400": json_response("a control character in the path, refused before the view",
                                 ERROR),
            "403": json_response("not the project's responsible staff", ERROR),
            "404": json_response("no such project", ERROR)}}}
    return result
