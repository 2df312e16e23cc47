"""Validate field values in words a volunteer understands."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from hub.partners.keys import is_valid_qid, normalise_email, normalise_qid


def validate_qid(value: str) -> None:
    """Refuse anything that is not a Wikidata item id like Q42."""
    if value and not is_valid_qid(normalise_qid(value)):
        raise ValidationError(
            _(
                "“%(value)s” is not a Wikidata item id. It looks like Q followed by digits, "
                "for example Q190804."
            ),
            params={"value": value[:60]},
            code="invalid_qid",
        )


def clean_email_lines(raw: str) -> list[str]:
    """Return the e-mail addresses of a text, one per line or comma; refuse invalid ones."""
    emails: list[str] = []
    for part in raw.replace(",", "\n").replace(";", "\n").splitlines():
        email = normalise_email(part)
        if not email:
            continue
        if "\r" in part or len(email) > 254:
            raise ValidationError(_("An e-mail address is too long or broken across lines."))
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                _("“%(email)s” is not a valid e-mail address."),
                params={"email": email[:80]},
                code="invalid_email",
            ) from None
        if email not in emails:
            emails.append(email)
    return emails
