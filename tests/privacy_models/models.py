from django.db import models

from gis_portal.privacy.fields import (
    BlindIndexField,
    EncryptedBinaryField,
    EncryptedJSONField,
    EncryptedTextField,
)


class PrivateRecord(models.Model):
    """A record with one of each encrypted field and a blind index of its phone."""

    name = EncryptedTextField(max_length=200, blank=True, default="")
    phone = EncryptedTextField(null=True, blank=True)
    phone_index = BlindIndexField(source="phone", purpose="tests.phone", normaliser="phone")
    details = EncryptedJSONField(null=True, blank=True)
    scan = EncryptedBinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone_index"], name="privacy_models_unique_phone"),
        ]

    def __str__(self):
        return f"record {self.pk}"  # never the personal data
