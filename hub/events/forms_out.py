"""The form of the events app's out part: a Programs & Events Dashboard import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DashboardImportForm(forms.Form):
    """The CSV downloads of one Dashboard course or campaign."""

    overview = forms.FileField(
        label=_("Overview (CSV)"),
        help_text=_("The course's or campaign's overview download: one row of totals."),
    )
    articles = forms.FileField(
        label=_("Articles (CSV)"), required=False, help_text=_("Optional: the articles edited.")
    )
    uploads = forms.FileField(
        label=_("Uploads (CSV)"), required=False, help_text=_("Optional: the files uploaded.")
    )
    editors = forms.FileField(
        label=_("Editors or students (CSV)"),
        required=False,
        help_text=_(
            "Optional: they become participants. No consent was recorded, so their usernames "
            "are never shown publicly."
        ),
    )
