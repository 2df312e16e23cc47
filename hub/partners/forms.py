"""Forms that parse what volunteers type; the services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import URLField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.core.regions import Region
from hub.partners import selectors, services
from hub.partners.keys import normalise_qid
from hub.partners.models import Contact, Interaction, Organisation, PartnerType
from hub.partners.pickers import OrganisationChoiceField
from hub.partners.validators import clean_email_lines


def _formfield(field: Any, **kwargs: Any) -> Any:
    """Return the form field for a model field; web addresses typed without a scheme get https."""
    if isinstance(field, URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):
    """Enter or change an organisation."""

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Separate tags with commas, e.g. GLAM, WikiGap 2026."),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is not one of the organisations listed above."),
        required=False,
    )

    class Meta:
        model = Organisation
        formfield_callback = _formfield
        fields = [
            "name",
            "other_names",
            "partner_type",
            "status",
            "country",
            "city",
            "region",
            "region_overridden",
            "website",
            "wikidata_qid",
            "description",
        ]
        widgets = {
            "other_names": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].help_text = _(
            "Worked out from the country; tick the box below to set it by hand."
        )
        self.fields["status"].help_text = _(
            "Follows the partnerships (active while one of them runs); "
            "change it here to set it by hand."
        )
        if self.instance.pk:
            self.initial.setdefault("tags", ", ".join(t.name for t in self.instance.tags.all()))

    def clean_wikidata_qid(self) -> str:
        return normalise_qid(self.cleaned_data.get("wikidata_qid", ""))

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the organisation services take."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if not data["region_overridden"]:
            data["region"] = ""
        return data


class OrganisationFilterForm(forms.Form):
    """The filters above the organisation list (GET, so links can be shared)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *PartnerType.choices]
    )
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *Region.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Organisation.Status.choices],
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    archived = forms.BooleanField(label=_("Show archived"), required=False)

    def __init__(self, *args: Any, affiliate: Affiliate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = selectors.affiliate_tags(affiliate).values_list("name", flat=True)
        tag_field = self.fields["tag"]
        if isinstance(tag_field, forms.ChoiceField):
            tag_field.choices = [("", _("Any tag")), *((t, t) for t in tags)]


class ContactForm(forms.ModelForm):
    """Enter or change a contact person."""

    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is not the person listed above."),
        required=False,
    )

    class Meta:
        model = Contact
        # The form offers exactly what the contact services accept.
        fields = list(services.CONTACT_FIELDS)
        widgets = {
            "emails": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "legal_basis_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, affiliate: Affiliate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = OrganisationChoiceField(affiliate=affiliate, required=False)

    def clean_emails(self) -> str:
        return "\n".join(clean_email_lines(self.cleaned_data.get("emails", "")))

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the contact services take."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class InteractionForm(forms.ModelForm):
    """Log or change an interaction with a partner."""

    class Meta:
        model = Interaction
        fields = ["date", "kind", "summary", "contacts", "users", "follow_up_on"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "contacts": forms.CheckboxSelectMultiple,
            "users": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = organisation.contacts.filter(  # type: ignore[attr-defined]
            archived_at=None
        )
        self.fields["users"].queryset = selectors.affiliate_members(  # type: ignore[attr-defined]
            organisation.affiliate
        )
        if not self.instance.pk:
            self.initial.setdefault("date", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date, follow_up = data.get("date"), data.get("follow_up_on")
        if date and follow_up and follow_up < date:
            self.add_error("follow_up_on", _("The follow-up date is before the interaction."))
        return data


class MergeForm(forms.Form):
    """Name the duplicate to fold into the organisation being kept."""

    duplicate = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, keep: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep = keep

    def clean_duplicate(self) -> Organisation:
        pk = self.cleaned_data["duplicate"]
        org = (
            Organisation.objects.filter(affiliate=self.keep.affiliate, archived_at=None, pk=pk)
            .exclude(pk=self.keep.pk)
            .first()
        )
        if org is None:
            raise forms.ValidationError(_("Choose another live organisation of this affiliate."))
        return org
