"""The API's OpenAPI 3.1 schema is valid, and every operation survives fuzzing from it."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as fuzz_settings
from openapi_spec_validator import OpenAPIV31SpecValidator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hub.api import tokens
from hub.api.api import api
from tests import factories

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = get_wsgi_application()
# Fuzzing only, a few examples each: the coverage phase would try every case the schema
# allows, minutes of CI for little more than the fuzzing finds.
schema.config.phases.update(phases=["examples", "fuzzing"])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.django_db
def test_schema_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(document).validate()
    paths = document["paths"]
    for resource in (
        "organisations",
        "contacts",
        "interactions",
        "partnerships",
        "activities",
        "contributions",
        "content-links",
        "metric-points",
    ):
        assert f"/api/v1/{resource}/" in paths, resource


@pytest.mark.django_db
def test_docs_page_lists_every_operation_from_our_own_assets(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/organisations/{pk}/" in page and "PATCH" in page
    assert "cdn" not in page.lower() and "https://" not in page.split("<main", 1)[-1]


@pytest.fixture
def _keep_connection() -> Any:
    """Keep the test's database connection across the WSGI calls, as Django's test client does
    (the handler closes connections when a request finishes, which ends the test's
    transaction on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secret(_keep_connection: Any, affiliate_a: Any, member_a: Any, settings: Any) -> str:
    settings.HUB_API_RATE = "100000/m"
    org = factories.organisation(affiliate_a, actor=member_a, name="Fuzzed museum")
    factories.partnership(affiliate_a, actor=member_a, partners=[(org, "main")])
    _row, token = tokens.create_token(
        actor=member_a, affiliate=affiliate_a, name="fuzz", can_write=True
    )
    return token


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_survives_fuzzing(case: Any, secret: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
