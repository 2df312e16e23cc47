"""Forms of the partner portal and of the member pages about it: they parse input only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.core.languages import offered_languages
from hub.partners.models import Contact, Organisation
from hub.partners.validators import clean_email_lines
from hub.surveys.models import PartnerUpdates
from hub.surveys.portal.services import DEFAULT_DAYS

_NOTE = forms.CharField(
    label=_("Anything to tell us about this correction?"),
    required=False,
    max_length=2000,
    widget=forms.Textarea(attrs={"rows": 3}),
)


class PortalLinkForm(forms.Form):
    """How long a new portal link works."""

    days = forms.IntegerField(
        label=_("Works for (days)"), min_value=1, max_value=366, initial=DEFAULT_DAYS
    )


class UpdatesForm(forms.Form):
    """How often the partner's contacts get the update e-mail."""

    frequency = forms.ChoiceField(
        label=_("Partner update e-mail"), choices=PartnerUpdates.Frequency.choices
    )


class OrganisationCorrectionForm(forms.Form):
    """The organisation details a partner may correct (nothing else is read)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    other_names = forms.CharField(
        label=_("Other names"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: acronyms, names in other languages."),
    )
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    website = forms.URLField(
        label=_("Website"), required=False, max_length=300, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = _NOTE

    @classmethod
    def for_organisation(
        cls, organisation: Organisation, data: Any = None
    ) -> OrganisationCorrectionForm:
        """Return the form filled with the organisation's current details."""
        initial = {name: getattr(organisation, name) for name in cls.base_fields if name != "note"}
        return cls(data, initial=initial)


class ContactCorrectionForm(forms.Form):
    """The contact details a partner may correct (nothing else is read)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role"), required=False, max_length=200)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main address."),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False)
    note = _NOTE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_language"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  declared just above
        choices = [("", _("No preference")), *offered_languages()]
        current = self.initial.get("preferred_language") or ""
        if current and current not in dict(choices):
            choices.append((current, current))  # kept as it is, even if no longer offered
        field.choices = choices

    def clean_emails(self) -> str:
        """Refuse an address that is broken, or broken across lines, in the partner's words."""
        return "\n".join(clean_email_lines(self.cleaned_data.get("emails") or ""))

    @classmethod
    def for_contact(cls, contact: Contact, data: Any = None) -> ContactCorrectionForm:
        """Return the form filled with the contact's current details."""
        initial = {name: getattr(contact, name) for name in cls.base_fields if name != "note"}
        return cls(data, initial=initial)
