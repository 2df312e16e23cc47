"""Forms of the import pages: the file to upload and the field for every column."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hub.partners import imports
from hub.partners.models import ImportBatch


class UploadForm(forms.Form):
    """Choose a CSV or XLSX file to import."""

    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx"}),
    )

    def clean_file(self) -> Any:
        """Refuse a file over the size cap before reading it."""
        upload = self.cleaned_data["file"]
        if upload.size > settings.HUB_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(max)s MB, the most the Hub accepts. Split it into "
                    "smaller files or remove columns you do not need."
                ),
                params={"max": settings.HUB_IMPORT_MAX_BYTES // (1024 * 1024)},
            )
        return upload


class MappingForm(forms.Form):
    """Choose, for every column of the file, the field it goes into (or ignore it)."""

    def __init__(
        self,
        headers: Sequence[str],
        mapping: Sequence[str],
        *args: Any,
        existing_rows: str = ImportBatch.ExistingRows.REJECT,
        invalid_rows: str = ImportBatch.InvalidRows.NOTHING,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = [(key, str(label)) for key, label in imports.FIELD_CHOICES]
        for index, header in enumerate(self.headers):
            initial = mapping[index] if index < len(mapping) else imports.IGNORE
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, initial=initial
            )
        # Not required: a form posted without it keeps the batch's current choice.
        self.fields["existing_rows"] = forms.ChoiceField(
            label=_("Rows that match an organisation you already have"),
            choices=ImportBatch.ExistingRows.choices,
            initial=existing_rows,
            required=False,
            widget=forms.RadioSelect,
        )
        self.fields["invalid_rows"] = forms.ChoiceField(
            label=_("Rows that cannot be imported"),
            choices=ImportBatch.InvalidRows.choices,
            initial=invalid_rows,
            required=False,
            widget=forms.RadioSelect,
        )

    def clean(self) -> dict[str, Any]:
        """Refuse two columns in a field that takes one, or a mapping that imports nothing."""
        cleaned = super().clean() or {}
        if not self.errors:
            for problem in imports.check_mapping(self.headers, self.mapping()):
                self.add_error(None, problem)
        return cleaned

    def mapping(self) -> list[str]:
        """Return the chosen field of every column, in column order."""
        return [
            str(self.cleaned_data.get(f"col_{i}", imports.IGNORE)) for i in range(len(self.headers))
        ]

    def existing_rows(self) -> str | None:
        """Return the chosen handling of rows already in the directory, or None if not sent."""
        return self.cleaned_data.get("existing_rows") or None

    def invalid_rows(self) -> str | None:
        """Return the chosen handling of rows that cannot be imported, or None if not sent."""
        return self.cleaned_data.get("invalid_rows") or None

    def rows(self) -> list[tuple[str, forms.BoundField]]:
        """Return every column heading with its select, for the template."""
        return [(h, self[f"col_{i}"]) for i, h in enumerate(self.headers)]
