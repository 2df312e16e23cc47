"""Forms of the community directory: one's profile, an offer of help, the filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.community.models import Availability
from hub.core.models import Affiliate, User
from hub.core.regions import Region
from hub.helpdesk.forms import BlockField, LineField
from hub.helpdesk.skills import Skill


class ProfileForm(forms.Form):
    """A person's own profile."""

    affiliate = forms.ModelChoiceField(
        label=_("Affiliate"),
        queryset=Affiliate.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("Same as my affiliate")), *Region.choices],
    )
    languages = LineField(
        label=_("Languages"),
        max_length=200,
        required=False,
        help_text=_("Separate languages with commas, e.g. Spanish, Quechua, English."),
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    availability = forms.ChoiceField(label=_("Mentor availability"), choices=Availability.choices)
    about = BlockField(label=_("About you"), max_length=2000, required=False, rows=4)
    listed = forms.BooleanField(
        label=_("Show me in the community directory"),
        required=False,
        help_text=_("Only people logged in to the Hub see the directory."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["affiliate"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Affiliate.objects.filter(memberships__user=user).order_by("name")


class OfferForm(forms.Form):
    """An offer to help with a request."""

    message = BlockField(
        label=_("How you can help"),
        max_length=2000,
        rows=4,
        help_text=_("Your skills, your time, what you did before that is like this."),
    )


class DirectoryFilterForm(forms.Form):
    """The filters above the directory (GET, so links can be shared)."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    skill = forms.ChoiceField(
        label=_("Skill"), required=False, choices=[("", _("Any skill")), *Skill.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *Region.choices]
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=60)
    mentors = forms.BooleanField(label=_("Mentors available now"), required=False)


class AskForm(forms.Form):
    """Ask one of the people "Find a helper" ranked to help with the request."""

    helper = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This person is no longer in the Hub.")},
    )


class AnswerForm(forms.Form):
    """The helper's answer to being asked to help."""

    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
