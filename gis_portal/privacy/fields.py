"""Model fields for personal data.

EncryptedTextField, EncryptedJSONField and EncryptedBinaryField hold the plain value in Python
and a Fernet token in a `text` column (gis_portal.privacy.crypto). They cannot be filtered,
searched or ordered by content: any lookup but `isnull` raises EncryptedLookupError, and
`unique`/`db_index` are refused by the system checks. Reading a row whose token no configured
key opens raises DecryptionError.

For exact look-ups and de-duplication add a BlindIndexField next to the encrypted one:

    phone = EncryptedTextField(blank=True)
    phone_index = BlindIndexField(source="phone", purpose="help.phone", normaliser="phone")

    HelpRequest.objects.filter(phone_index__matches="8 701 234 56 78")

The index is filled from the source on every save (also by `update_fields` naming the source:
name the index too). `bulk_update` and `QuerySet.update` skip save(): set the index yourself
with `field.index_for(value)`.

`dumpdata` writes the decrypted values: a fixture of these models is personal data.
"""

import base64
import json

from django.core import checks
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from . import crypto
from .blind_index import NORMALISERS, blind_index


class EncryptedLookupError(FieldError):
    """A query tried to compare or search an encrypted value."""


class EncryptedField(models.Field):
    """Base of the encrypted fields: subclasses say how their Python value becomes bytes."""

    description = _("Encrypted value")

    def get_internal_type(self):
        return "TextField"

    def python_to_bytes(self, value) -> bytes:
        raise NotImplementedError

    def bytes_to_python(self, data: bytes):
        raise NotImplementedError

    def _label(self) -> str:
        model = getattr(self, "model", None)
        if model is None:
            return f"field {self.name}"
        return f"{model._meta.label}.{self.name}"

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for option in ("unique", "db_index", "primary_key"):
            if getattr(self, option):
                errors.append(checks.Error(
                    f"an encrypted field cannot be {option}: its tokens differ for equal values",
                    hint="add a BlindIndexField for exact look-ups and uniqueness",
                    obj=self,
                    id="privacy.E001",
                ))
        return errors

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.bytes_to_python(crypto.decrypt(value, self._label()))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return crypto.encrypt(self.python_to_bytes(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise EncryptedLookupError(
            f"{self._label()} is encrypted and cannot be queried with '{lookup_name}': "
            "use a BlindIndexField for exact matches, or filter on `isnull`"
        )

    def get_transform(self, lookup_name):
        raise EncryptedLookupError(
            f"{self._label()} is encrypted: '{lookup_name}' cannot look inside it"
        )


class EncryptedTextField(EncryptedField):
    """A str in Python. `max_length` limits form input only (the column is text)."""

    description = _("Encrypted text")

    def __init__(self, *args, max_length=None, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        if max_length is not None:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(max_length))

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def python_to_bytes(self, value) -> bytes:
        return self.to_python(value).encode("utf-8")

    def bytes_to_python(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs):
        from django import forms

        defaults = {"max_length": self.max_length}
        if self.max_length is None or self.max_length > 255:
            defaults["widget"] = forms.Textarea
        return super().formfield(**{**defaults, **kwargs})


class EncryptedJSONField(EncryptedField):
    """Any JSON value (dict, list, str, number, bool) in Python; the JSON text is encrypted.
    None is SQL NULL, not JSON null."""

    description = _("Encrypted JSON")
    empty_strings_allowed = False

    def python_to_bytes(self, value) -> bytes:
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except TypeError as exc:
            raise ValidationError(_("This value cannot be stored as JSON.")) from exc

    def bytes_to_python(self, data: bytes):
        return json.loads(data.decode("utf-8"))

    def value_to_string(self, obj):
        # Serialisers (dumpdata) keep the JSON value itself, as Django's JSONField does.
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class EncryptedBinaryField(EncryptedField):
    """bytes in Python (a scanned document, a signature blob); never shown in forms."""

    description = _("Encrypted binary data")
    empty_strings_allowed = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def python_to_bytes(self, value) -> bytes:
        if isinstance(value, memoryview):
            return value.tobytes()
        if not isinstance(value, bytes | bytearray):
            raise TypeError(f"{self._label()} takes bytes")
        return bytes(value)

    def bytes_to_python(self, data: bytes) -> bytes:
        return data

    def to_python(self, value):
        # Serialisers (loaddata) hand back the base64 text that value_to_string wrote.
        if isinstance(value, str):
            return base64.b64decode(value.encode("ascii"))
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return None if value is None else base64.b64encode(value).decode("ascii")

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs


class BlindIndexField(models.CharField):
    """The blind index of another field of the model (usually an encrypted one), filled on
    save: `blind_index(normaliser(source value), purpose)`, or NULL when the source is empty.

    `normaliser` names one of blind_index.NORMALISERS ("phone", "email", "name", "text").
    The source must already be valid for it (validate in the form or action with the same
    normaliser): a value it rejects raises ValidationError on save.
    """

    description = _("Blind index")

    def __init__(self, *args, source: str, purpose: str, normaliser: str = "text", **kwargs):
        if normaliser not in NORMALISERS:
            raise ValueError(f"normaliser must be one of {sorted(NORMALISERS)}, got {normaliser!r}")
        self.source = source
        self.purpose = purpose
        self.normaliser = normaliser
        kwargs["max_length"] = 64
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose, normaliser=self.normaliser)
        for option, default in (("null", True), ("blank", True), ("editable", False),
                                ("db_index", True)):
            if kwargs.get(option, default) == default:
                kwargs.pop(option, None)
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def index_for(self, raw: str | None) -> str | None:
        """The index a source value gets (None for an empty one): for filters and updates."""
        if raw is None or raw == "":
            return None
        return blind_index(NORMALISERS[self.normaliser](raw), self.purpose)

    def pre_save(self, model_instance, add):
        value = self.index_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        model = getattr(self, "model", None)
        if model is not None:
            names = {f.name for f in model._meta.get_fields()}
            if self.source not in names:
                errors.append(checks.Error(
                    f"BlindIndexField source '{self.source}' is not a field of "
                    f"{model._meta.label}", obj=self, id="privacy.E002",
                ))
        return errors


@BlindIndexField.register_lookup
class BlindIndexMatches(Exact):
    """`phone_index__matches="8 701 …"`: normalises and indexes the raw value, then compares."""

    lookup_name = "matches"

    def get_prep_lookup(self):
        return self.lhs.output_field.index_for(self.rhs)

    def get_rhs_op(self, connection, rhs):
        return connection.operators["exact"] % rhs
