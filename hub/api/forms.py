"""The form a person makes a personal API token with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate, User


class TokenForm(forms.Form):
    """Name a new token, pick its affiliate, and say whether it may change data."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “OpenRefine on my laptop” or “our website”."),
    )
    affiliate = forms.ModelChoiceField(
        label=_("Affiliate"), queryset=Affiliate.objects.none(), empty_label=None
    )
    can_write = forms.BooleanField(
        label=_("May change data"),
        required=False,
        help_text=_(
            "Leave unticked for a token that only reads. Give a tool no more than it needs."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["affiliate"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = Affiliate.objects.filter(memberships__user=user).order_by("name")
