"""The one shape of a refused rule-bound write, shared by every app's actions.py.

An action raises a subclass (IdentityError, PositionError, AccountError, …); the view answers
with its `status` and `message`, and, where the client needs them, its stable `code` and the
form `field` to fix.
"""


class ActionError(Exception):
    status = 400
    code = "invalid"
    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
