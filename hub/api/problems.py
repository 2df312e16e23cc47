"""Errors as RFC 9457 problem details (application/problem+json), in a volunteer's words."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"
# The problem types, relative to the API's documentation page (RFC 9457 section 3.1.1).
TYPE_BASE = "/api/v1/docs/#problem-"


def problem(
    status: int,
    title: str,
    detail: str = "",
    *,
    kind: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Return a problem details response: type, title, status, detail and field errors."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or str(status)),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_errors_from(error: ValidationError) -> list[dict[str, str]]:
    """Return a service's ValidationError as a list of {field, message} (field "" for all)."""
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if name == "__all__" else name, "message": str(message)}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": str(message)} for message in error.messages]


def invalid(errors: list[dict[str, str]], detail: str = "") -> HttpResponse:
    """Return 400 with the fields that need fixing; nothing was written."""
    return problem(
        400,
        _("The request has errors"),
        detail or _("Nothing was saved. Fix the fields listed in “errors” and send it again."),
        kind="invalid",
        errors=errors,
    )


def not_found() -> HttpResponse:
    """Return 404, the same for a missing record and for another affiliate's."""
    return problem(
        404,
        _("Not found"),
        _("There is no such record in your affiliate, or the address is wrong."),
        kind="not-found",
    )
