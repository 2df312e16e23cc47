"""Forms that parse what volunteers type about partnerships; the services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.core.regions import Region
from hub.partners.models import Organisation, PartnerType
from hub.partners.pickers import OrganisationChoiceField, live_organisations
from hub.partnerships import documents, selectors
from hub.partnerships.models import (
    AgreementPoint,
    ChecklistPoint,
    ContributionType,
    Document,
    Goal,
    Partnership,
    PartnershipPartner,
    Stage,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Rows offered for partners on the create form: enough for a main partner, a co-partner, a
# funder and a venue host without JavaScript.
PARTNER_ROWS = 4


class PartnershipForm(forms.ModelForm):
    """Enter or change a partnership's description (its partners are chosen in rows below)."""

    goals = forms.MultipleChoiceField(
        label=_("Goals"),
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contribution_types = forms.MultipleChoiceField(
        label=_("Contribution types"),
        choices=ContributionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partnership
        fields = [
            "title",
            "summary",
            "goals",
            "contribution_types",
            "structure",
            "scope",
            "initiative",
            "start_date",
            "end_date",
            "responsible",
            "outcome_clarity",
            "expected_outcomes",
            "main_goals",
            "languages",
            "visibility",
            "impact_report_every_months",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "expected_outcomes": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "end_date": DATE,
            "responsible": forms.CheckboxSelectMultiple,
            "main_goals": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, affiliate: Affiliate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = selectors.member_choices(affiliate)  # type: ignore[attr-defined]
        self.fields["main_goals"].queryset = selectors.main_goals(affiliate)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("goals", self.instance.goals)
            self.initial.setdefault("contribution_types", self.instance.contribution_types)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data

    def _post_clean(self) -> None:
        # The services validate the model; the form only parses.
        pass

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the partnership services take."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PartnerRowsForm(forms.Form):
    """A fixed set of partner + role rows that works without JavaScript."""

    def __init__(
        self,
        data: Any = None,
        *,
        affiliate: Affiliate,
        initial_rows: list[tuple[int, str]] | None = None,
        extra: int = 2,
    ) -> None:
        super().__init__(data)
        self.affiliate = affiliate
        rows = list(initial_rows or [])
        self.row_count = max(PARTNER_ROWS, len(rows) + extra)
        for n in range(self.row_count):
            org, role = rows[n] if n < len(rows) else (None, "")
            default_role = PartnershipPartner.Role.MAIN if n == 0 else "co_partner"
            self.fields[f"partner_{n}"] = OrganisationChoiceField(
                affiliate=affiliate,
                label=_("Partner %(n)s") % {"n": n + 1},
                help_text="",  # the rows' legend says how to find partners, once
                required=False,
                initial=org,
            )
            self.fields[f"role_{n}"] = forms.ChoiceField(
                label=_("Role of partner %(n)s") % {"n": n + 1},
                choices=PartnershipPartner.Role.choices,
                required=False,
                initial=role or default_role,
            )

    @property
    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Return the (partner, role) field pairs, for the template."""
        return [(self[f"partner_{n}"], self[f"role_{n}"]) for n in range(self.row_count)]

    def has_organisations(self) -> bool:
        """Return whether the directory has any organisation to choose."""
        return live_organisations(self.affiliate).exists()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.partners: list[tuple[Organisation, str]] = []
        for n in range(self.row_count):
            org = data.get(f"partner_{n}")
            if org is None:
                continue
            role = data.get(f"role_{n}") or PartnershipPartner.Role.MAIN
            if any(org == o for o, _r in self.partners):
                self.add_error(f"partner_{n}", _("This partner is already chosen above."))
            self.partners.append((org, role))
        if not self.partners and not self.errors:
            raise forms.ValidationError(
                _("Choose at least one partner organisation from your directory.")
            )
        return data


class StageForm(forms.Form):
    """Move a partnership to another stage, with a reason, an override or exit notes.

    The stage section's buttons send ``to_stage``; the "jump" form picks it from a menu, with
    ``jump`` set so a refusal shows in the form that was sent.
    """

    # The field a refusal of the lifecycle is about (lifecycle.check_move's codes). A guard on
    # the partnership itself (the checklist) is about no field: the page shows it at the top.
    REFUSAL_FIELDS = {
        "unknown": "to_stage",
        "same": "to_stage",
        "exit_notes": "exit_notes",
        "reopen_reason": "reason",
        "reopen_stage": "override",
        "skip": "reason",
    }

    to_stage = forms.ChoiceField(
        label=_("Stage"),
        choices=Stage.choices,
        error_messages={
            "required": _("Choose one of the stages offered."),
            "invalid_choice": _("Choose one of the stages offered."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to override a guard or to reopen a partnership."),
    )
    override = forms.BooleanField(label=_("Override the guard (say why above)"), required=False)
    exit_notes = forms.CharField(
        label=_("Exit notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to end a partnership: what happens after the intense phase."),
    )
    jump = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, jump: bool = False, **kwargs: Any) -> None:
        self.is_jump = jump or bool(data and data.get("jump"))
        if self.is_jump:
            # Its own ids beside the stage section's form on the same page; a jump always
            # overrides (and so needs a reason).
            kwargs.setdefault("auto_id", "id_jump_%s")
            kwargs.setdefault("initial", {"jump": True, "override": True})
        super().__init__(data, **kwargs)
        if self.is_jump:
            self.fields["override"].widget = forms.HiddenInput()
            self.fields["to_stage"].label = _("Jump to the stage")
        self.guard = ""

    def refuse(self, error: ValidationError) -> None:
        """Tie the lifecycle's refusal to the field it is about, or keep it as the guard.

        The guard (an unmet condition of the partnership, such as the agreement checklist)
        is shown once, at the top of the partnership page, with what to do about it.
        """
        message = " ".join(error.messages)
        field = self.REFUSAL_FIELDS.get(getattr(error, "code", None) or "")
        if not field:
            self.guard = message
        elif self.fields[field].widget.is_hidden:
            self.add_error(None, message)
        else:
            self.add_error(field, message)


class AgreementForm(forms.Form):
    """The agreement checklist: a status and a text for each of the six points, and dates."""

    signed_on = forms.DateField(label=_("Agreement signed on"), required=False, widget=DATE)
    expires_on = forms.DateField(
        label=_("Agreement expires or renews on"), required=False, widget=DATE
    )

    def __init__(
        self, *args: Any, partnership: Partnership, points: list[AgreementPoint], **kwargs: Any
    ) -> None:
        initial: dict[str, Any] = {
            "signed_on": partnership.agreement_signed_on,
            "expires_on": partnership.agreement_expires_on,
        }
        for ap in points:
            initial[f"{ap.point}_status"] = ap.status
            initial[f"{ap.point}_text"] = ap.text
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for point in ChecklistPoint.values:
            # The point's name heads its fieldset; each field's own label is short.
            self.fields[f"{point}_status"] = forms.ChoiceField(
                label=_("Status"),
                label_suffix="",
                choices=AgreementPoint.Status.choices,
                initial=AgreementPoint.Status.NOT_DISCUSSED,
            )
            self.fields[f"{point}_text"] = forms.CharField(
                label=_("What was agreed"),
                label_suffix="",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def points(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Return the six points as (name, status field, text field), for the template."""
        return [
            (str(label), self[f"{point}_status"], self[f"{point}_text"])
            for point, label in ChecklistPoint.choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        signed, expires = data.get("signed_on"), data.get("expires_on")
        if signed and expires and expires < signed:
            self.add_error(
                "expires_on",
                _("The agreement cannot expire before it was signed. Check the two dates."),
            )
        return data

    def service_points(self) -> dict[str, tuple[str, str]]:
        """Return {point: (status, text)} for update_agreement."""
        return {
            p: (self.cleaned_data[f"{p}_status"], self.cleaned_data[f"{p}_text"])
            for p in ChecklistPoint.values
        }


class DocumentForm(forms.Form):
    """Upload an agreement, a concept note or a report."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX or ODT."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.odt," + ",".join(documents.CONTENT_TYPES.values())}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Document.Kind.choices, initial=Document.Kind.AGREEMENT
    )


class MainGoalForm(forms.Form):
    """Name one of the affiliate's main goals."""

    name = forms.CharField(label=_("Goal"), max_length=120)


class PartnershipFilterForm(forms.Form):
    """The filters above the partnership list (GET, so links can be shared)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    goal = forms.ChoiceField(
        label=_("Goal"), required=False, choices=[("", _("Any goal")), *Goal.choices]
    )
    contribution = forms.ChoiceField(
        label=_("Contribution type"),
        required=False,
        choices=[("", _("Any contribution")), *ContributionType.choices],
    )
    type = forms.ChoiceField(
        label=_("Partner type"),
        required=False,
        choices=[("", _("Any type")), *PartnerType.choices],
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *Region.choices]
    )
    strategic = forms.ChoiceField(
        label=_("Strategic"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Strategic")), ("no", _("Collaboration"))],
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        required=False,
        choices=[("", _("Any visibility")), *Partnership.Visibility.choices],
    )
    responsible = forms.ChoiceField(label=_("Responsible person"), required=False)
    archived = forms.BooleanField(label=_("Show archived"), required=False)

    def __init__(self, *args: Any, affiliate: Affiliate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [
                ("", _("Anyone")),
                *((str(u.pk), str(u)) for u in selectors.member_choices(affiliate)),
            ]
