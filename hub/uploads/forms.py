"""Forms of the batch pages: the batch, its sheet and mapping, files, template, account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hub.core import wikimedia_login
from hub.uploads import credentials
from hub.uploads.fields import EXTRA_PREFIX, FIELDS, IGNORE, SDC_PREFIX
from hub.uploads.models import COMMONS_API, UploadBatch
from hub.wikimedia.projects import wiki_name


def wiki_choices() -> list[tuple[str, str]]:
    """Return the wikis a batch may go to: Commons, and those an administrator allowed."""
    choices = [(COMMONS_API, wiki_name(COMMONS_API))]
    for url in settings.HUB_ALLOWED_PRIVATE_WIKIS:
        api = url.rstrip("/")
        api = api if api.endswith("api.php") else f"{api}/api.php"
        choices.append((api, api))
    return choices


class BatchForm(forms.Form):
    """Name a new batch and pick the wiki it goes to."""

    title = forms.CharField(
        label=_("Name of the batch"),
        max_length=200,
        help_text=_("For you and the partner, e.g. “Postcards 1900–1930”."),
    )
    wiki_url = forms.ChoiceField(label=_("Wiki"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wiki_url"].choices = wiki_choices()  # type: ignore[attr-defined]
        self.fields["wiki_url"].initial = COMMONS_API


class SheetForm(forms.Form):
    """Choose the metadata sheet."""

    sheet = forms.FileField(
        label=_("Metadata sheet (CSV, XLSX, or a Pattypan workbook)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx,.xls"}),
    )

    def clean_sheet(self) -> Any:
        upload = self.cleaned_data["sheet"]
        if upload.size > settings.HUB_UPLOADS_MAX_SHEET_BYTES:
            raise forms.ValidationError(
                _("The sheet is larger than %(max)s MB. Split it into several batches."),
                params={"max": settings.HUB_UPLOADS_MAX_SHEET_BYTES // (1024 * 1024)},
            )
        return upload


def field_choices(current: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Return every field a column can feed, with "ignore" first and any current extra kept."""
    choices = [(IGNORE, str(_("— leave out —")))]
    choices += [(key, str(field.label)) for key, field in FIELDS.items()]
    known = {key for key, _label in choices}
    for key in current:
        if key and key not in known:
            if key.startswith(EXTRA_PREFIX):
                # A column kept under its own name, for a page template that uses it.
                label = str(_("Kept as “%(name)s” for the page template")) % {
                    "name": key[len(EXTRA_PREFIX) :]
                }
            elif key.startswith(SDC_PREFIX):
                label = key.replace(SDC_PREFIX, str(_("statement ")))
            else:
                label = key
            choices.append((key, label))
            known.add(key)
    return choices


class MappingForm(forms.Form):
    """Choose, for every column of the sheet, the field it feeds (or leave it out)."""

    def __init__(self, headers: Sequence[str], mapping: dict[str, str], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = field_choices(list(mapping.values()))
        for index, header in enumerate(self.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, initial=mapping.get(header, IGNORE), required=False
            )

    def mapping(self) -> dict[str, str]:
        """Return the chosen field of every column, by heading."""
        return {
            h: str(self.cleaned_data.get(f"col_{i}") or IGNORE) for i, h in enumerate(self.headers)
        }

    def rows(self) -> list[tuple[str, forms.BoundField]]:
        """Return every heading with its select, for the template."""
        return [(h, self[f"col_{i}"]) for i, h in enumerate(self.headers)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class FilesForm(forms.Form):
    """Choose many files, or one ZIP, to send."""

    upload = MultipleFileField(label=_("Files, or one ZIP of them"))


class TemplateForm(forms.ModelForm):
    """Pick or edit the page template, and what every page gets."""

    class Meta:
        model = UploadBatch
        fields = [
            "template",
            "template_source",
            "institution_template",
            "licence",
            "categories",
            "edit_summary",
            "strip_exif",
            "structured_data",
        ]
        widgets = {
            "template_source": forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
            "categories": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "template_source": _(
                "Used when the page template is “Our own template”. Pattypan's template "
                "language: ${field}, <#if field?has_content>…</#if>, "
                '<#list categories?split(";") as category>…</#list>. To change a built-in '
                "template, copy it from below, edit it here and choose “Our own template”."
            ),
            "institution_template": _("e.g. {{Institution:Nordiska museet}}"),
            "licence": _("e.g. CC BY-SA 4.0, or CC0. Rows with a licence column keep theirs."),
            "categories": _("One per line (without “Category:”)."),
        }

    def clean_template_source(self) -> str:
        from hub.uploads.pattypan import TemplateError, compile_template

        source = str(self.cleaned_data.get("template_source") or "").strip()
        if source:
            try:
                compile_template(source)
            except TemplateError as exc:
                raise forms.ValidationError(getattr(exc, "message", str(exc))) from exc
        return source

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        template = cleaned.get("template")
        if template == UploadBatch.Template.CUSTOM and not cleaned.get("template_source"):
            self.add_error(
                "template_source", _("Give the template's source, or pick a built-in one.")
            )
        return cleaned


class AccountForm(forms.Form):
    """Enter the wiki account the batch uploads with."""

    kind = forms.ChoiceField(
        label=_("Kind of account"),
        choices=[(k, str(v)) for k, v in credentials.KIND_LABELS.items()],
        widget=forms.RadioSelect,
        initial=credentials.BOT_PASSWORD,
    )
    name = forms.CharField(
        label=_("User name"),
        max_length=255,
        required=False,
        help_text=_("For a bot password: Name@BotName, as Special:BotPasswords shows it."),
    )
    secret = forms.CharField(
        label=_("Password or access token"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_(
            "Kept encrypted, used only to send this batch, and deleted when the batch ends."
        ),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        account = wikimedia_login.wikimedia_account(user)
        if account is None:
            # Upload as me needs the person's own Wikimedia log-in.
            kind.choices = [  # type: ignore[attr-defined]
                (k, label)
                for k, label in kind.choices  # type: ignore[attr-defined]
                if k != credentials.WIKIMEDIA_LOGIN
            ]
            if wikimedia_login.enabled():
                kind.help_text = _(
                    "To upload as yourself, link your Wikimedia account on “Your account”."
                )
        else:
            kind.help_text = _(
                "“Upload as me” sends the files as %(name)s; nothing needs typing below."
            ) % {"name": wikimedia_login.wikimedia_username(account)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") != credentials.WIKIMEDIA_LOGIN:
            for field in ("name", "secret"):
                if not (cleaned.get(field) or "").strip():
                    self.add_error(field, _("This field is required."))
        return cleaned
