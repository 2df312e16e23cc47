"""The language each person reads: their preference, kept to the languages the Hub offers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hub.core import audit
from hub.core.catalogues import catalogue_problems
from hub.core.models import User


def offered_languages() -> list[tuple[str, str]]:
    """Return the (code, name) pairs the Hub offers: English and every complete catalogue."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def offered(code: str | None) -> str | None:
    """Return the offered language that best fits a code (fr-CA -> fr), or None."""
    if not code or len(code) > 20:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def language_for(person: object) -> str:
    """Return the language to write to a person or contact in: theirs when offered, else the
    Hub's default. Accepts anything with a ``language`` or ``preferred_language`` attribute."""
    code = getattr(person, "language", "") or getattr(person, "preferred_language", "")
    return offered(code) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(person: object) -> Iterator[str]:
    """Render what is inside (an e-mail, a PDF) in the recipient's language, not the sender's."""
    language = language_for(person)
    with translation.override(language):
        yield language


def set_preferred_language(*, actor: User, user: User, language: str) -> User:
    """Store the language a person wants e-mails and reports in ("" for the default)."""
    if language and offered(language) != language:
        raise ValidationError(
            {"language": _("Choose one of the languages in the list.")}, code="not_offered"
        )
    with transaction.atomic():
        before = audit.snapshot(user, ["language"])
        user.language = language
        user.save(update_fields=["language"])
        changes = audit.diff(before, audit.snapshot(user, ["language"]))
        if changes:
            audit.record(
                actor=actor, affiliate=None, action="user.language", target=user, changes=changes
            )
    return user


@checks.register()
def check_catalogues(**kwargs: object) -> list[checks.CheckMessage]:
    """Warn when a catalogue in locale/ is not offered for a reason its translator can fix."""
    return [
        checks.Warning(problem, id="hub.W_LOCALE", hint="See docs/translating.md.")
        for path in settings.LOCALE_PATHS
        for problem in catalogue_problems(Path(path), settings.HUB_KNOWN_LANGUAGES)
    ]


# Languages written in the Arabic script, whose comma is "،" (U+060C): the separator a list
# takes in them while their catalogue does not yet say it.
_ARABIC_COMMA = frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug"})


def list_separator() -> str:
    """Return what goes between the items of a list in the active language (", " or "، ")."""
    said = pgettext("between the items of a list", ", ")
    language = (translation.get_language() or "").split("-")[0]
    if said == ", " and language in _ARABIC_COMMA:
        return "، "
    return said


def join_list(items: Iterable[object]) -> str:
    """Return the items as one line, separated as the active language separates a list."""
    return list_separator().join(str(item) for item in items)


def date_range(start: object, end: object) -> str:
    """Return "start – end" as the active language writes a range (of dates, of values).

    No arrow: "→" does not mirror, so in Arabic it would point from the end to the start.
    """
    return pgettext("a range, e.g. of dates", "%(start)s – %(end)s") % {
        "start": start,
        "end": end,
    }


def change_arrow() -> str:
    """Return the arrow from an old value to the new one, pointing the way the language reads."""
    said = pgettext("from an old value to the new one", "→")
    if said == "→" and translation.get_language_bidi():
        return "←"
    return said
