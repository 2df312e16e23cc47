"""Forms for the reports dashboard and the strategic definition; the services do the writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.core.regions import Region
from hub.partners.models import PartnerType
from hub.partnerships.models import ContributionType, Goal, Stage, StrategicDefinition
from hub.partnerships.scoring import DEFINITION_FIELDS


def _year_choices() -> list[tuple[str, str]]:
    this_year = dt.date.today().year  # noqa: DTZ011  a menu of years, not a moment in time
    return [("", str(_("Any year")))] + [
        (str(y), str(y)) for y in range(this_year + 1, this_year - 15, -1)
    ]


class ReportFilterForm(forms.Form):
    """The filters above the dashboard (GET, so links and exports share them)."""

    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    type = forms.ChoiceField(
        label=_("Main partner's type"),
        required=False,
        choices=[("", _("Any type")), *PartnerType.choices],
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *Region.choices]
    )
    goal = forms.ChoiceField(
        label=_("Goal"), required=False, choices=[("", _("Any goal")), *Goal.choices]
    )
    contribution = forms.ChoiceField(
        label=_("Contribution type"),
        required=False,
        choices=[("", _("Any contribution")), *ContributionType.choices],
    )
    year = forms.ChoiceField(label=_("Start year"), required=False)
    strategic = forms.ChoiceField(
        label=_("Strategic"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Strategic")), ("no", _("Collaboration"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]


class StrategicDefinitionForm(forms.ModelForm):
    """Change the hub's definition of a strategic partnership (hub staff)."""

    class Meta:
        model = StrategicDefinition
        fields = list(DEFINITION_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("sustained_months", "min_activities", "interaction_within_months"):
            self.fields[name].help_text = _("0 turns this rule off.")
            self.fields[name].widget.attrs.update({"min": 0, "max": 240})
        self.fields["strategic_from_score"].widget.attrs.update({"min": 0, "max": 7})
        self.fields["min_satisfaction"].widget.attrs.update({"min": 1, "max": 5, "step": "0.1"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("sustained_months", "interaction_within_months"):
            if (data.get(name) or 0) > 240:
                self.add_error(name, _("Use a number of months up to 240 (20 years)."))
        if (data.get("min_activities") or 0) > 1000:
            self.add_error("min_activities", _("Use a number of activities up to 1,000."))
        if (data.get("strategic_from_score") or 0) > 7:
            self.add_error("strategic_from_score", _("There are seven rules: use 0 to 7."))
        satisfaction = data.get("min_satisfaction")
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            self.add_error(
                "min_satisfaction", _("Use a satisfaction from 1 to 5, or leave it empty.")
            )
        return data

    def _post_clean(self) -> None:
        pass

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the definition service takes."""
        return {name: self.cleaned_data[name] for name in DEFINITION_FIELDS}
