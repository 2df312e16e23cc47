"""Forms for activities, contributions, exchange rates and the reports' filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.core.currencies import normalise_currency, validate_currency
from hub.partnerships.activities import selectors
from hub.partnerships.activities.services import (
    ACTIVITY_FIELDS,
    MAX_AMOUNT,
    MAX_OUTPUT,
    MAX_YEAR,
    MIN_YEAR,
    OUTPUT_FIELDS,
    check_amount,
    check_output,
)
from hub.partnerships.models import (
    Activity,
    Contribution,
    Partnership,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(forms.ModelForm):
    """Add or change an activity of a partnership."""

    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS[:6], "partners", *ACTIVITY_FIELDS[6:]]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "partners": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = selectors.partner_organisations(  # type: ignore[attr-defined]
            partnership
        )
        self.fields["partners"].help_text = _("Only this partnership's partners can be chosen.")
        self.fields["place"].help_text = _("A town or venue; leave empty if it was only online.")
        self.fields["participants"].help_text = _("How many people took part, if you know.")
        for name in (*OUTPUT_FIELDS, "participants"):
            field = self.fields[name]
            field.widget.attrs.update({"min": 0, "max": MAX_OUTPUT})
            if isinstance(field, forms.IntegerField):
                # Our own message, in plain words, instead of Django's "Ensure this value…".
                field.validators = []
                field.min_value = field.max_value = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in (*OUTPUT_FIELDS, "participants"):
            for field, message in check_output(data.get(name), name).items():
                self.add_error(field, message)
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The activity cannot end before it starts."))
        return data

    def _post_clean(self) -> None:
        # The service validates the activity; the model's constraint check would repeat our
        # "ends before it starts" in a database's words.
        pass

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the activity services take (partners apart)."""
        return {name: self.cleaned_data[name] for name in ACTIVITY_FIELDS}


class ContributionForm(forms.ModelForm):
    """Record or change money or something in kind a partner gave."""

    amount = forms.DecimalField(
        label=_("Estimated value"),
        help_text=_("In the currency below; for in-kind support, what it would have cost."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": 0}),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=12,
        help_text=_("The three-letter code, e.g. EUR, USD, SEK, INR."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )

    class Meta:
        model = Contribution
        fields = [
            "kind",
            "in_kind_type",
            "organisation",
            "received_on",
            "description",
            "amount",
            "currency",
        ]
        widgets = {"received_on": DATE, "kind": forms.RadioSelect}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        organisation.queryset = selectors.partner_organisations(partnership)  # type: ignore[attr-defined]
        organisation.required = True
        organisation.empty_label = _("Choose a partner")  # type: ignore[attr-defined]
        self.fields["in_kind_type"].help_text = _("Only for in-kind support.")
        # A required radio needs no "---------" choice: one of the two kinds is always meant.
        self.fields["kind"].choices = Contribution.Kind.choices  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.initial.setdefault("currency", partnership.affiliate.reporting_currency)
            self.initial.setdefault("received_on", timezone.localdate())

    def clean_currency(self) -> str:
        code = normalise_currency(self.cleaned_data.get("currency", ""))
        validate_currency(code)
        return code

    def clean_amount(self) -> Any:
        amount = self.cleaned_data.get("amount")
        for message in check_amount(amount).values():
            raise forms.ValidationError(message)
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, in_kind_type = data.get("kind"), data.get("in_kind_type")
        if kind == Contribution.Kind.IN_KIND and not in_kind_type:
            self.add_error(
                "in_kind_type", _("Say what was given in kind: venue, catering, transport…")
            )
        if kind == Contribution.Kind.FINANCIAL and in_kind_type:
            self.add_error(
                "in_kind_type",
                _(
                    "A financial contribution has no in-kind type. Choose “In kind”, or leave "
                    "the type empty."
                ),
            )
        return data

    def _post_clean(self) -> None:
        # The service validates the whole contribution; the model's own checks would repeat
        # ours in less helpful words (and the amount field allows more digits to catch typos).
        pass

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the contribution services take."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ExchangeRateForm(forms.Form):
    """Enter how much one unit of a currency was worth in the reporting currency in a year."""

    currency = forms.CharField(
        label=_("Currency"),
        max_length=12,
        help_text=_("The three-letter code, e.g. USD."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    year = forms.IntegerField(
        label=_("Year"), widget=forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR})
    )
    rate = forms.DecimalField(
        label=_("Rate"),
        help_text=_("What one unit of the currency was worth in your reporting currency."),
        widget=forms.NumberInput(attrs={"step": "any", "min": 0}),
    )

    def __init__(self, *args: Any, reporting_currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rate"].help_text = _(
            "What one unit of the currency was worth in %(code)s (yearly average)."
        ) % {"code": reporting_currency}
        self.initial.setdefault("year", timezone.localdate().year)

    def clean_currency(self) -> str:
        code = normalise_currency(self.cleaned_data.get("currency", ""))
        validate_currency(code)
        return code


class ReportingCurrencyForm(forms.Form):
    """Change the currency an affiliate reports its totals in."""

    currency = forms.CharField(
        label=_("Reporting currency"),
        max_length=12,
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    clear_rates = forms.BooleanField(
        label=_("Delete my exchange rates: they convert into the old currency."),
        required=False,
    )

    def clean_currency(self) -> str:
        code = normalise_currency(self.cleaned_data.get("currency", ""))
        validate_currency(code)
        return code


__all__ = [
    "MAX_AMOUNT",
    "ActivityForm",
    "ContributionForm",
    "ExchangeRateForm",
    "ReportingCurrencyForm",
]
