"""Saved spatial questions: the question (its kind and parameters), never its answer, so a
permalink re-runs it on the day's data."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# 10 characters of a 31-letter alphabet without look-alikes (0/o, 1/l/i): short to read out.
SHORT_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SHORT_ID_LENGTH = 10


def new_short_id() -> str:
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(SHORT_ID_LENGTH))


class SavedQuestion(models.Model):
    short_id = models.CharField(_("short id"), max_length=16, unique=True, default=new_short_id,
                                editable=False)
    kind = models.CharField(_("kind of question"), max_length=32)
    # Query parameters as given (text values), validated when saved and when re-run.
    parameters = models.JSONField(_("parameters"), default=dict)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved question")
        verbose_name_plural = _("saved questions")
        ordering = ["-saved_at"]

    def __str__(self):
        return f"{self.kind} {self.short_id}"

    def get_absolute_url(self):
        return f"/questions/{self.short_id}/"
