"""JSON answers with ETags: 304 when the client's copy is current, 412 when it is stale."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from pydantic import BaseModel

from hub.api import problems
from hub.api.auth import ApiProblem

CONTENT_TYPE = "application/json"


def render(data: Any) -> bytes:
    """Return the JSON bytes of a schema instance or plain data."""
    if isinstance(data, BaseModel):
        return data.model_dump_json().encode("utf-8")
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


def etag_of(body: bytes) -> str:
    """Return a strong ETag for these bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def json_response(
    request: HttpRequest, data: Any, *, status: int = 200, location: str = ""
) -> HttpResponse:
    """Return data as JSON with its ETag; 304 with no body if If-None-Match names it."""
    body = render(data)
    etag = etag_of(body)
    if status == 200 and request.method in ("GET", "HEAD"):
        wanted = _tags(request.headers.get("If-None-Match", ""))
        if etag in wanted or "*" in wanted:
            response = HttpResponse(status=304)
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
            return response
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    # Clients may keep a copy, and must ask (If-None-Match) before using it.
    response["Cache-Control"] = "private, no-cache"
    if location:
        response["Location"] = location
    return response


def check_if_match(request: HttpRequest, current: Any) -> None:
    """Raise a 412 problem if If-Match does not name the record's current ETag."""
    header = request.headers.get("If-Match", "")
    if not header:
        return
    wanted = _tags(header)
    if "*" in wanted or etag_of(render(current)) in wanted:
        return
    raise ApiProblem(
        problems.problem(
            412,
            _("The record changed since you read it"),
            _(
                "Someone changed this record after you read it, so nothing was saved. Read it "
                "again (its new ETag), apply your change to that, and send it again."
            ),
            kind="stale",
        )
    )
