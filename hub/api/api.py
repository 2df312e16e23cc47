"""The NinjaAPI object for /api/v1/: token authentication, and every error as problem JSON."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as ServiceError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError

from hub.api import impact, partners, partnerships, problems
from hub.api.auth import ApiProblem, TokenAuth

logger = logging.getLogger(__name__)

# The parameter names operations give their body and query schemas: not part of a field's name.
_PARAM_NAMES = {"payload", "filters", "paging"}


class HubApi(NinjaAPI):
    """NinjaAPI whose schema says errors are application/problem+json."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if str(status) >= "400" and "application/json" in content:
                        content[problems.CONTENT_TYPE] = content.pop("application/json")
        return schema


api = HubApi(
    title="Partnerships Hub API",
    version="1",
    description=(
        "Read and change one affiliate's partner directory, partnerships and impact. "
        "Authenticate with a personal token: `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url=None,
)


def _field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc[1:] if str(p) not in _PARAM_NAMES]
    return ".".join(parts)


@api.exception_handler(ApiProblem)
def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return exc.response


@api.exception_handler(SchemaError)
def _schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors = [
        {"field": _field(list(e.get("loc", []))), "message": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return problems.invalid(errors)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return problems.invalid(problems.field_errors_from(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.not_found()


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return problems.problem(
            400,
            _("The body is not valid JSON"),
            _("Send a JSON object with Content-Type: application/json. Nothing was saved."),
            kind="malformed",
        )
    return problems.problem(exc.status_code, str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API call failed: %s %s", request.method, request.path)
    return problems.problem(
        500,
        _("Something went wrong on our side"),
        _("Nothing was saved. Try again later; if it keeps failing, tell the Hub's staff."),
        kind="server-error",
    )


api.add_router("", partners.router)
api.add_router("", partnerships.router)
api.add_router("", impact.router)
