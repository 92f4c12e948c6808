"""Saving a question: its kind and validated parameters, never its answer."""

from django.db import transaction

from layers.core.errors import BadQuery

from .models import SavedQuestion
from .spatial import get_question

MAX_PARAMETER_LENGTH = 200_000


@transaction.atomic
def save_question(*, user, kind: str, parameters: dict) -> SavedQuestion:
    """Validate the question as it would run (BadQuery, 400, if it cannot) and store it under
    a new short id. Anyone may save, signed in or not; `user` is kept when signed in."""
    if not isinstance(parameters, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int | float) for k, v in
            parameters.items()):
        raise BadQuery("parameters must be an object of text or number values", "parameters")
    parameters = {k: str(v) for k, v in parameters.items()}
    if sum(len(v) for v in parameters.values()) > MAX_PARAMETER_LENGTH:
        raise BadQuery("parameters are too long to save: simplify the drawn shape",
                       "parameters")
    cleaned = get_question(kind).clean(parameters)
    signed_in = user is not None and user.is_authenticated
    return SavedQuestion.objects.create(kind=kind, parameters=cleaned,
                                        saved_by=user if signed_in else None)
