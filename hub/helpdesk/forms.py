"""Forms of the helpdesk: the public request form, triage, the committee, working groups."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from hub.core.models import Affiliate, User
from hub.helpdesk.models import (
    LINE_MAX,
    TEXT_MAX,
    AgendaItem,
    ContentKind,
    GroupMember,
    HelpRequest,
    Notification,
    ReviewCheck,
)
from hub.helpdesk.pickers import PeopleField
from hub.helpdesk.skills import Skill

# Controls mean nothing in typed text (NUL is refused by Django already); tabs and line
# breaks stay in long text, and go from one-line fields, where they could split mail headers.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x85]+")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def clean_line(value: str) -> str:
    """Return one line of text: no control characters, no line breaks, spaces collapsed."""
    return " ".join(_BREAKS.sub(" ", _CONTROLS.sub("", value or "")).split())


def clean_block(value: str) -> str:
    """Return a block of text without control characters (line breaks kept)."""
    return _CONTROLS.sub("", (value or "").replace("\r\n", "\n")).strip()


class LineField(forms.CharField):
    """A one-line text field whose value never carries a line break."""

    def to_python(self, value: Any) -> str:
        return clean_line(super().to_python(value) or "")


class BlockField(forms.CharField):
    """A long text field, with a size limit said in words."""

    def __init__(self, *, max_length: int = TEXT_MAX, rows: int = 5, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)
        self.error_messages["max_length"] = _(
            "Please keep this under %(limit_value)d characters (you typed %(show_value)d). "
            "Send a link to a longer document instead."
        )

    def to_python(self, value: Any) -> str:
        return clean_block(super().to_python(value) or "")


class SingleLineEmailField(forms.EmailField):
    """An e-mail address that is refused, not trimmed, when it holds a line break."""

    def to_python(self, value: Any) -> str:
        if isinstance(value, str) and _BREAKS.search(value.strip(" ")):
            raise forms.ValidationError(
                _("An e-mail address must be on one line, without line breaks."),
                code="line_break",
            )
        return str(super().to_python(value))


def _user_by_username(username: str) -> User:
    user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if user is None:
        raise forms.ValidationError(
            _("Nobody has the username “%(name)s” in the Hub."), params={"name": username[:60]}
        )
    return user


class HelpRequestForm(forms.Form):
    """The public request form: what, with which partner, why it matters."""

    name = LineField(label=_("Your name"), max_length=LINE_MAX)
    email = SingleLineEmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send the link to follow your request here."),
    )
    affiliate = forms.ModelChoiceField(
        label=_("Your affiliate"),
        queryset=Affiliate.objects.none(),
        required=False,
        empty_label=_("None — I am not part of an affiliate"),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    partner = LineField(
        label=_("The partner"),
        max_length=LINE_MAX,
        help_text=_("The museum, archive, library or other organisation you work with."),
    )
    content_kinds = forms.MultipleChoiceField(
        label=_("Kind of content"),
        choices=ContentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    approximate_size = LineField(
        label=_("Approximate size"),
        max_length=LINE_MAX,
        required=False,
        help_text=_("For example: 2,000 photographs, a 40 MB spreadsheet."),
    )
    description = BlockField(label=_("What do you need help with?"))
    justification = BlockField(
        label=_("Why it matters"),
        required=False,
        rows=6,
        help_text=_(
            "Which gap does it fill? Who benefits? What is the licence status? What does the "
            "partner commit to? What lasts after the project?"
        ),
    )
    timeline = LineField(
        label=_("Desired timeline"),
        max_length=LINE_MAX,
        required=False,
        help_text=_("For example: before the partner's budget year starts in January."),
    )
    languages = LineField(
        label=_("Languages"),
        max_length=LINE_MAX,
        required=False,
        help_text=_("The languages of the content and the ones you speak, separated by commas."),
    )
    consent = forms.BooleanField(
        label=_("I agree that the Hub stores this request and my contact details to answer it."),
        error_messages={
            "required": _("We can only keep your request if you agree that we store it.")
        },
    )
    # A honeypot: people never see it; a robot that fills every field gives itself away.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        affiliate_field = self.fields["affiliate"]
        if isinstance(affiliate_field, forms.ModelChoiceField):
            affiliate_field.queryset = Affiliate.objects.only("id", "name").order_by("name")
        country_field = self.fields["country"]
        if isinstance(country_field, forms.ChoiceField):
            country_field.choices = [("", _("Choose a country")), *countries]
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))

    @property
    def is_honeypot_filled(self) -> bool:
        return bool((self.data.get("homepage") or "").strip())

    def clean_form_token(self) -> str:
        token = self.cleaned_data.get("form_token") or ""
        return token if _TOKEN.match(token) else ""

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values submit_request takes."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "affiliate": data["affiliate"],
            "country": data["country"],
            "partner": data["partner"],
            "content_kinds": data["content_kinds"],
            "approximate_size": data["approximate_size"],
            "description": data["description"],
            "justification": data["justification"],
            "timeline": data["timeline"],
            "languages": data["languages"],
            "consent": data["consent"],
            "submission_token": data["form_token"] or None,
        }


class ReplyForm(forms.Form):
    """The requester's answer, typed on the status page."""

    body = BlockField(label=_("Your answer"), rows=4)


class StatusForm(forms.Form):
    """Move a request to its next status, with an optional word to the requester."""

    status = forms.ChoiceField(label=_("New status"))
    message = BlockField(label=_("Message to the requester (optional)"), required=False, rows=3)

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        if isinstance(status_field, forms.ChoiceField):
            status_field.choices = [
                (value, label) for value, label in HelpRequest.Status.choices if value in allowed
            ]


class MessageForm(forms.Form):
    """Write to the requester (a question or an update) or add an internal note."""

    KINDS = [
        ("question", _("Question to the requester (e-mailed, they answer by their link)")),
        ("update", _("Status update (e-mailed, shown on their status page)")),
        ("note", _("Internal note (hub staff and committee only)")),
    ]
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS, widget=forms.RadioSelect)
    body = BlockField(label=_("Message"), rows=4)


class TriageForm(forms.Form):
    """What helpers see of a request, and the skills it needs."""

    public_summary = LineField(
        label=_("Public summary"),
        max_length=LINE_MAX,
        required=False,
        help_text=_("What helpers in the community see: no names, no e-mail addresses."),
    )
    skills_needed = forms.MultipleChoiceField(
        label=_("Skills needed"),
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ChecklistForm(forms.Form):
    """The whole review checklist: a rating and a comment per point, saved at once.

    A point not rated yet may stay blank; once rated it can be re-rated, not un-rated.
    """

    def __init__(self, *args: Any, existing: dict[str, ReviewCheck], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[str, ReviewCheck | None, forms.BoundField, forms.BoundField]] = []
        for group, label in ReviewCheck.Group.choices:
            check = existing.get(group)
            choices = list(ReviewCheck.Rating.choices)
            if check is None:
                choices.insert(0, ("", _("Not checked yet")))
            self.fields[f"{group}_rating"] = forms.ChoiceField(
                label=_("Rating"),
                choices=choices,
                required=check is not None,
                initial=check.rating if check else "",
            )
            self.fields[f"{group}_comment"] = BlockField(
                label=_("Comment"), required=False, rows=2, initial=check.comment if check else ""
            )
            self.rows.append((str(label), check, self[f"{group}_rating"], self[f"{group}_comment"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for group in ReviewCheck.Group.values:
            if data.get(f"{group}_comment") and not data.get(f"{group}_rating"):
                self.add_error(
                    f"{group}_rating", _("Choose a rating for this point, or clear its comment.")
                )
        return data

    def points(self) -> dict[str, tuple[str, str]]:
        """Return {group: (rating, comment)} for the rated points."""
        data = self.cleaned_data
        return {
            group: (data[f"{group}_rating"], data[f"{group}_comment"])
            for group in ReviewCheck.Group.values
            if data.get(f"{group}_rating")
        }


class MeetingForm(forms.Form):
    """Plan a committee meeting."""

    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = LineField(label=_("Title"), max_length=LINE_MAX)


class DecisionForm(forms.Form):
    """The committee's decision on one request of the agenda."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in AgendaItem.Outcome.choices if c[0]],
        widget=forms.RadioSelect,
    )
    priority_rank = forms.IntegerField(
        label=_("Priority rank"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("For an approved request: 1 is done first."),
    )
    reasons = BlockField(label=_("Reasons (the requester reads them)"), rows=3)


class CommitteeMemberForm(forms.Form):
    """Put a person on the committee by username."""

    username = LineField(label=_("Username"), max_length=150)

    def clean_username(self) -> User:
        return _user_by_username(self.cleaned_data["username"])


class CapacityForm(forms.Form):
    """How many requests the hub can take on in a quarter."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int
    )
    capacity = forms.IntegerField(label=_("Capacity (requests)"), min_value=0, max_value=999)
    note = LineField(label=_("Note"), max_length=LINE_MAX, required=False)


class RequestChoiceField(forms.ModelChoiceField):
    """Choose a request by its reference and partner."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.partner}"


class GroupForm(forms.Form):
    """Form a working group for a request or a theme."""

    name = LineField(label=_("Name"), max_length=LINE_MAX)
    purpose = BlockField(label=_("Purpose"), required=False, rows=3)
    request = RequestChoiceField(
        label=_("For the request"),
        queryset=HelpRequest.objects.none(),
        required=False,
        empty_label=_("None — a theme"),
    )
    theme = LineField(label=_("Theme"), max_length=LINE_MAX, required=False)
    lead = LineField(label=_("Lead (username)"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request_field = self.fields["request"]
        if isinstance(request_field, forms.ModelChoiceField):
            request_field.queryset = HelpRequest.objects.filter(
                status__in=[HelpRequest.Status.APPROVED, HelpRequest.Status.IN_PROGRESS]
            ).only("id", "partner")

    def clean_lead(self) -> User | None:
        username = self.cleaned_data.get("lead") or ""
        return _user_by_username(username) if username else None


class GroupMemberForm(forms.Form):
    """Add people from any affiliate to a working group, found by searching."""

    people = PeopleField(label=_("People to add"))
    role = forms.ChoiceField(label=_("Role"), choices=GroupMember.Role.choices)

    @property
    def is_search(self) -> bool:
        """Whether the form came back from the people search rather than to be saved."""
        return self.has_error("people", code="search")


class TaskForm(forms.Form):
    """Add a task to a working group."""

    title = LineField(label=_("Task"), max_length=LINE_MAX)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        if isinstance(owner_field, forms.ModelChoiceField):
            owner_field.queryset = User.objects.filter(pk__in=[u.pk for u in members])


class UpdateForm(forms.Form):
    """A working group's news for the requester."""

    body = BlockField(label=_("Update for the requester"), rows=3)


class PreferencesForm(forms.Form):
    """Per kind of notification: in the Hub, by e-mail."""

    def __init__(self, *args: Any, current: dict[str, tuple[bool, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[str, forms.BoundField, forms.BoundField]] = []
        for kind, label in Notification.Kind.choices:
            in_app, by_email = current.get(kind, (True, True))
            self.fields[f"{kind}__in_app"] = forms.BooleanField(
                label=_("In the Hub"), required=False, initial=in_app
            )
            self.fields[f"{kind}__email"] = forms.BooleanField(
                label=_("By e-mail"), required=False, initial=by_email
            )
            self.rows.append((str(label), self[f"{kind}__in_app"], self[f"{kind}__email"]))

    def preferences(self) -> dict[str, tuple[bool, bool]]:
        """Return {kind: (in_app, by_email)} from the ticked boxes."""
        return {
            kind: (
                bool(self.cleaned_data.get(f"{kind}__in_app")),
                bool(self.cleaned_data.get(f"{kind}__email")),
            )
            for kind in Notification.Kind.values
        }
