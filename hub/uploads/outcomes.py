"""What the wiki's warnings and errors about an upload mean for a row, in a volunteer's words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from hub.uploads.models import UploadRow
from hub.wikimedia.errors import WikiApiError

# Error codes after which a stashed file key cannot be used: send the file again.
STASH_GONE = frozenset(
    {
        "stashfailed",
        "stashnosuchfilekey",
        "stashedfilenotfound",
        "stashfilenotfound",
        "stashpathinvalid",
        "stashwrongowner",
        "missingresult",
        "filekey-not-found",
    }
)
# Error codes of a wiki without WikibaseMediaInfo (no wbeditentity, no M-entities).
NO_STRUCTURED_DATA = frozenset({"badvalue", "unknown_action", "no-such-entity", "notsupported"})
# Error codes that stop every row alike: the batch pauses with the message.
STOPPING = {
    "permissiondenied": lambda: _(
        "The account may not upload files on this wiki. Give the bot password the grants "
        "“Upload new files” and “Upload, replace, and move files”, then resume."
    ),
    "mustbeloggedin": lambda: _("The wiki wants the account to be logged in; enter it again."),
    "uploaddisabled": lambda: _("Uploads are turned off on this wiki."),
    "readonly": lambda: _("The wiki is read-only for now (maintenance). Resume later."),
    "assertuserfailed": lambda: _("The wiki logged the account out; enter it again and resume."),
    "blocked": lambda: _("The account is blocked on this wiki."),
}


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    if isinstance(value, Mapping):
        return str(next(iter(value.values()), ""))
    return str(value or "")


def warning_outcome(warnings: Mapping[str, Any], title: str) -> tuple[str, str, str]:
    """Return the row's state, outcome code and message for the wiki's upload warnings."""
    state = UploadRow.State
    if "duplicate" in warnings:
        other = _first(warnings["duplicate"])
        return (
            state.SKIPPED,
            "duplicate",
            _("Skipped: the same file is already on the wiki as “File:%(name)s”.")
            % {"name": other},
        )
    if "exists" in warnings:
        return (
            state.FAILED,
            "exists",
            _("The title “%(title)s” is already taken on the wiki. Give this row another title.")
            % {"title": title},
        )
    if "duplicate-archive" in warnings:
        return (
            state.FAILED,
            "duplicate-archive",
            _(
                "The same file was on the wiki before and was deleted (as “%(name)s”). Find out "
                "why before sending it again."
            )
            % {"name": _first(warnings["duplicate-archive"])},
        )
    if "was-deleted" in warnings:
        return (
            state.FAILED,
            "was-deleted",
            _(
                "A file with this title was deleted from the wiki before. Check the deletion "
                "log and give this row another title if it is a different file."
            ),
        )
    if "badfilename" in warnings:
        return (
            state.FAILED,
            "badfilename",
            _("The wiki does not accept this title; it would call the file “%(name)s”.")
            % {"name": _first(warnings["badfilename"])},
        )
    if "exists-normalized" in warnings:
        return (
            state.FAILED,
            "exists",
            _("A file with nearly the same title exists: “%(name)s”. Give another title.")
            % {"name": _first(warnings["exists-normalized"])},
        )
    codes = ", ".join(sorted(warnings)) or "?"
    return (
        state.FAILED,
        "warning",
        _("The wiki warned about this file (%(codes)s); it was not sent.") % {"codes": codes},
    )


def explain_api_error(exc: WikiApiError) -> str:
    """Return words for an error the wiki gave about one file."""
    known = {
        "fileexists-no-change": _("The same file is already on the wiki under this title."),
        "filetype-banned": _("The wiki does not accept this type of file."),
        "filetype-missing": _("The title needs an extension, like .jpg."),
        "verification-error": _(
            "The wiki found the file's contents do not match its type, or refused them."
        ),
        "file-too-large": _("The file is larger than the wiki accepts."),
        "empty-file": _("The file is empty."),
        "illegal-filename": _("The wiki does not accept this title."),
        "protectedpage": _("The title is protected on the wiki."),
    }
    words = known.get(exc.code)
    if words:
        return f"{words} ({exc.code})"
    return _("The wiki refused the file: %(info)s (%(code)s)") % {
        "info": exc.info,
        "code": exc.code,
    }


def batch_stopping_error(exc: WikiApiError) -> str:
    """Return the batch's message for an error that stops every row alike, or ''."""
    words = STOPPING.get(exc.code)
    return str(words()) if words else ""
