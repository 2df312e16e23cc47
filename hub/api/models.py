"""Personal API tokens: one person, one affiliate, read-only or read-write; only a hash kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate


class ApiToken(models.Model):
    """A personal token for the REST API, scoped to one of the person's affiliates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    can_write = models.BooleanField(_("may change data"), default=False)
    # SHA-256 of the secret; the secret itself is shown once and never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    # The secret's first characters, shown in the list so a person can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
