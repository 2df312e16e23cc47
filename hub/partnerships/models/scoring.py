"""The hub's strategic definition, which partnerships are scored against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StrategicDefinition(models.Model):
    """The hub's one definition of a strategic partnership, editable by hub staff."""

    sustained_months = models.PositiveSmallIntegerField(
        _("sustained for at least (months)"), default=12
    )
    min_activities = models.PositiveSmallIntegerField(_("joint activities, at least"), default=3)
    interaction_within_months = models.PositiveSmallIntegerField(
        _("an interaction within the last (months)"), default=6
    )
    require_main_goal = models.BooleanField(
        _("serves one of the affiliate's main goals"), default=True
    )
    require_capacity = models.BooleanField(
        _("includes capacity building or knowledge transfer"), default=True
    )
    glam_requires_content = models.BooleanField(
        _("for GLAM partners, a content contribution"), default=True
    )
    # Partner surveys' average satisfaction (1–5); empty turns the rule off. It applies only to
    # partnerships whose partners answered a survey (the surveys app provides the figure).
    min_satisfaction = models.DecimalField(
        _("partner satisfaction in surveys, at least (1–5)"),
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty turns this rule off. Counts only where partners answered a survey."),
    )
    strategic_from_score = models.PositiveSmallIntegerField(
        _("rules to meet to count as strategic"),
        default=0,
        help_text=_("0 means every rule that applies."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strategic partnership definition")

    def __str__(self) -> str:
        return str(_("Strategic partnership definition"))
