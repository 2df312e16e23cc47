"""Who may receive the affiliate's mail to partners (surveys, partner updates)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate


def email_digest(email: str) -> str:
    """Return a keyed hash of an address, so an opt-out outlives the person's erasure without
    keeping the address itself (nothing in it can be searched for or read back)."""
    key = hashlib.sha256(f"hub.surveys.opt-out:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, email.strip().casefold().encode(), hashlib.sha256).hexdigest()


class OptOut(models.Model):
    """A person who asked the affiliate to stop a kind of mail; honoured by every mailing path."""

    class Topic(models.TextChoices):
        SURVEYS = "surveys", _("Surveys")
        UPDATES = "updates", _("Partner updates")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    email_digest = models.CharField(max_length=64)
    topic = models.CharField(_("what"), max_length=20, choices=Topic.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "email_digest", "topic"], name="surveys_opt_out_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.affiliate} · {self.topic}"
