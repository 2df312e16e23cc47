"""Pages: a person's API tokens (made, shown once, revoked) and the API's documentation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.api import tokens
from hub.api.api import api
from hub.api.forms import TokenForm
from hub.api.models import ApiToken
from hub.core.forms import apply_errors
from hub.core.permissions import acting_user

NEW_TOKEN = "new_api_token"  # noqa: S105 - a session key, not a secret


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """Show the person's tokens, the form for a new one, and a new token's secret once."""
    user = acting_user(request)
    form = TokenForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = tokens.create_token(
                actor=user,
                affiliate=form.cleaned_data["affiliate"],
                name=form.cleaned_data["name"],
                can_write=form.cleaned_data["can_write"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # Shown once on the next page, then gone: the session carries it across the redirect.
            request.session[NEW_TOKEN] = secret
            return redirect("api_tokens")
    rows = ApiToken.objects.filter(user=user).select_related("affiliate")[:50]
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": rows, "secret": request.session.pop(NEW_TOKEN, "")},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the person's tokens."""
    user = acting_user(request)
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    tokens.revoke_token(actor=user, token=token)
    messages.success(request, _("Token revoked. Tools using it get nothing more."))
    return redirect("api_tokens")


def _operations() -> list[dict[str, Any]]:
    schema = api.get_openapi_schema()
    rows = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    # Marked with gettext_noop where declared: the schema keeps the English,
                    # the page shows them in the reader's language.
                    "summary": _(operation["summary"]) if operation.get("summary") else "",
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": [p["name"] for p in operation.get("parameters", [])],
                }
            )
    return sorted(rows, key=lambda r: (r["tag"], r["path"], r["method"] != "GET"))


def docs(request: HttpRequest) -> HttpResponse:
    """Show how to use the API and list its operations (the schema has the details)."""
    # A command, not language: it stays out of the translated text.
    example = 'curl -H "Authorization: Bearer hub_…" ' + request.build_absolute_uri(
        "/api/v1/organisations/"
    )
    return render(request, "api/docs.html", {"operations": _operations(), "example": example})
