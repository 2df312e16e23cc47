"""The reconciliation service's endpoints, and the page where a person makes its secret address.

The service answers the W3C Reconciliation Service API 0.2 (manifest, queries, preview,
suggest entity), the protocol OpenRefine speaks. Its address carries a secret key (see
hub.partners.directory_keys): a public route where the key is the only credential.
"""

from __future__ import annotations

import json
from typing import Any

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.api.reconciliation import matching
from hub.core.links import absolute_url
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.permissions import acting_user, affiliate_view
from hub.partners import directory_keys
from hub.partners.models import ReconciliationKey

PREVIEW_WIDTH = 400
PREVIEW_HEIGHT = 120


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Names of partners: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    # OpenRefine's page (another origin, often localhost:3333) reads the manifest and the
    # suggestions from the browser. No cookie opens anything here, only the secret in the path.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(message: str, status: int) -> JsonResponse:
    return _json({"status": "error", "message": message}, status)


def _key_or_none(token: str) -> ReconciliationKey | None:
    try:
        return directory_keys.key_for_token(token)
    except directory_keys.KeyRefused:
        return None


def _unknown_key() -> JsonResponse:
    return _error(
        _(
            "This reconciliation address is not known or was revoked. Make a new one in the "
            "Partnerships Hub (your directory, “Reconcile in OpenRefine”)."
        ),
        404,
    )


def _service_url(request: HttpRequest, token: str) -> str:
    return absolute_url(reverse("reconciliation:service", kwargs={"token": token}), request)


def manifest(request: HttpRequest, key: ReconciliationKey, token: str) -> dict[str, Any]:
    """Return the service manifest for the key's affiliate."""
    affiliate = key.affiliate
    directory = absolute_url(
        reverse("partners:organisation_list", kwargs={"slug": affiliate.slug}), request
    )
    service = _service_url(request, token)
    preview = absolute_url(reverse("reconciliation:preview", kwargs={"token": token}), request)
    return {
        "versions": ["0.2"],
        "name": _("%(affiliate)s partner directory (Partnerships Hub)")
        % {"affiliate": affiliate.name},
        "identifierSpace": directory,
        "schemaSpace": directory + "#organisation",
        "documentation": absolute_url(
            reverse("reconciliation:keys", kwargs={"slug": affiliate.slug}), request
        ),
        "view": {"url": directory + "{{id}}/"},
        "preview": {
            "url": preview + "?id={{id}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            "entity": {"service_url": service.rstrip("/"), "service_path": "/suggest/entity/"}
        },
        "defaultTypes": matching.types()[:1],
    }


def _queries_from(request: HttpRequest) -> str:
    """Return the queries parameter of a GET or a form-encoded POST (OpenRefine's way)."""
    if request.method == "POST":
        return request.POST.get("queries", "")
    return request.GET.get("queries", "")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def service(request: HttpRequest, token: str) -> HttpResponse:
    """Answer the manifest (no queries) or a batch of reconciliation queries."""
    key = _key_or_none(token)
    if key is None:
        return _unknown_key()
    raw = _queries_from(request)
    if not raw:
        if request.method == "POST":
            return _error(_("Send the queries in a form field named “queries”."), 400)
        return _json(manifest(request, key, token))
    try:
        batch = json.loads(raw)
    except ValueError:
        return _error(_("The queries are not valid JSON."), 400)
    try:
        queries = matching.parse_batch(batch)
    except matching.QueryError as error:
        return _error(str(error), 400)
    return _json(matching.reconcile_batch(key.affiliate, queries))


@require_GET
def suggest_entity(request: HttpRequest, token: str) -> HttpResponse:
    """Suggest the affiliate's organisations for what was typed (the "prefix")."""
    key = _key_or_none(token)
    if key is None:
        return _unknown_key()
    prefix = text_param(request.GET, "prefix", 200)
    return _json({"result": matching.suggest(key.affiliate, prefix)})


@require_GET
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """Show one organisation in the small frame OpenRefine puts beside a candidate."""
    key = _key_or_none(token)
    if key is None:
        raise Http404
    org = matching.get_organisation(key.affiliate, text_param(request.GET, "id", 20))
    if org is None:
        raise Http404
    response = render(
        request,
        "api/reconciliation/preview.html",
        {"organisation": org, "description": matching.describe(org)},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    # OpenRefine shows the preview in a frame of its own page: the secret, not the origin, guards.
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


@affiliate_view()
@never_cache
def keys(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the person's reconciliation addresses for the affiliate, a new one just once."""
    user = acting_user(request)
    token = request.session.pop("new_reconciliation_token", None)
    own = ReconciliationKey.objects.filter(user=user, affiliate=affiliate)[:10]
    return render(
        request,
        "api/reconciliation/keys.html",
        {
            "affiliate": affiliate,
            "keys": list(own),
            "new_url": _service_url(request, token) if token else "",
        },
    )


@affiliate_view()
@require_POST
def key_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Make a new reconciliation address (revoking the person's old one) and show it once."""
    _key, token = directory_keys.create_key(actor=acting_user(request), affiliate=affiliate)
    # Shown once on the next page, then gone: the session carries it across the redirect only.
    request.session["new_reconciliation_token"] = token
    return redirect("reconciliation:keys", slug=affiliate.slug)


@affiliate_view()
@require_POST
def key_revoke(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Revoke one of the person's reconciliation addresses."""
    user = acting_user(request)
    key = ReconciliationKey.objects.filter(user=user, affiliate=affiliate, pk=pk).first()
    if key is None:
        raise Http404
    directory_keys.revoke_key(actor=user, key=key)
    messages.success(request, _("Address revoked. OpenRefine gets nothing more through it."))
    return redirect("reconciliation:keys", slug=affiliate.slug)
