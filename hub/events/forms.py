"""Forms of the events app's people part: event settings, participants, the public sign-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hub.events.models import Participant

MAX_LIST_BYTES = 1024 * 1024
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class EventForm(forms.Form):
    """An event's settings, as a member types them; the service checks and tidies them."""

    wikis = forms.CharField(
        label=_("Wikis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One address a line, such as https://sv.wikipedia.org or commons.wikimedia.org."
        ),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    grace_days = forms.IntegerField(
        label=_("Grace period (days)"),
        min_value=0,
        initial=0,
        help_text=_("Contributions made this many days after the end still count."),
    )
    category = forms.CharField(
        label=_("Tracking category"),
        required=False,
        max_length=255,
        help_text=_("Optional: count only pages in this category."),
    )
    hashtag = forms.CharField(
        label=_("Hashtag"),
        required=False,
        max_length=101,
        help_text=_("Optional: count only edits whose summary has it, with or without the #."),
    )
    articles = forms.CharField(
        label=_("Articles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: count only edits to these pages, one title a line."),
    )
    consent_text = forms.CharField(
        label=_("What participants agree to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the sign-up page. Leave empty for the Hub's standard wording."),
    )

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values as the event services take them."""
        data = self.cleaned_data
        return {
            "wikis": _lines(data["wikis"]),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "grace_days": data["grace_days"] or 0,
            "category": data["category"],
            "hashtag": data["hashtag"],
            "articles": _lines(data["articles"]),
            "consent_text": data["consent_text"],
        }

    @staticmethod
    def initial_of(event: Any) -> dict[str, Any]:
        """Return the form's initial values from an event."""
        return {
            "wikis": "\n".join(event.wikis),
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "grace_days": event.grace_days,
            "category": event.category,
            "hashtag": event.hashtag,
            "articles": "\n".join(event.articles),
            "consent_text": event.consent_text,
        }

    @staticmethod
    def initial_for_activity(activity: Any) -> dict[str, Any]:
        """Return initial values for a new event from its activity's dates."""
        initial: dict[str, Any] = {"grace_days": 0}
        if activity.starts_on:
            initial["starts_at"] = dt.datetime.combine(activity.starts_on, dt.time(0, 0))
            end = activity.ends_on or activity.starts_on
            initial["ends_at"] = dt.datetime.combine(end, dt.time(23, 59))
        return initial


class ParticipantForm(forms.Form):
    """One participant added by the organiser."""

    username = forms.CharField(label=_("Wikimedia username"), max_length=400)
    role = forms.ChoiceField(
        label=_("Role"), choices=Participant.Role.choices, initial=Participant.Role.PARTICIPANT
    )


class ImportForm(forms.Form):
    """A list of usernames, pasted or in a text or CSV file, one a line."""

    text = forms.CharField(
        label=_("Usernames, one a line"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    file = forms.FileField(label=_("Or a text or CSV file"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=Participant.Role.choices, initial=Participant.Role.PARTICIPANT
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        text = data.get("text") or ""
        if upload is not None:
            if upload.size > MAX_LIST_BYTES:
                raise ValidationError(_("The file is too large: at most 1 MB of usernames."))
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    _("The file is not UTF-8 text. Save it as UTF-8 (CSV UTF-8) and try again.")
                ) from None
        if not text.strip():
            raise ValidationError(_("Paste the usernames or choose a file."))
        data["list"] = text
        return data


class ParticipantChangeForm(forms.Form):
    """A participant's role and whether they are counted."""

    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)
    counted = forms.BooleanField(label=_("Counted"), required=False)


class SignupForm(forms.Form):
    """The public sign-up: a username, consent, and whether the name may be shown."""

    username = forms.CharField(
        label=_("Your Wikimedia username"),
        max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    agreed = forms.BooleanField(
        label=_("I agree to my contributions being counted as described above."),
        required=False,
    )
    show_name = forms.BooleanField(
        label=_("My username may be shown publicly with the event's results."),
        required=False,
    )
