"""The documented production configuration: `check --deploy` passes with it, and every response
carries the security headers (a strict content security policy, frame denial, no sniffing, a
referrer policy, HSTS over HTTPS when configured, secure cookies)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from scripts.prod_smoke import documented_environment
from tests.opshelpers import ROOT, hub_env

DOCS = ROOT / "docs" / "deployment.md"


def production_env(tmp_path: Path) -> dict[str, str]:
    """Return the documented environment with its files and folders made under tmp_path."""
    etc = tmp_path / "etc-hub"
    etc.mkdir()
    (etc / "secret_key").write_text(secrets.token_urlsafe(50))
    (etc / "database_url").write_text("postgres://hub:a-password@127.0.0.1:5432/hub")
    (etc / "smtp_password").write_text("an smtp password")
    env = {
        key: value.replace("/etc/hub/", f"{etc}/")
        for key, value in documented_environment().items()
    }
    env["HUB_DATA_DIR"] = str(tmp_path / "data")
    env["HUB_STATIC_ROOT"] = str(tmp_path / "static")
    return env


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path: Path) -> None:
    # The environment file as an operator installs it, read by deploy/hub-manage as systemd
    # reads it (values with spaces kept whole), with the secrets' files in place.
    env_file = tmp_path / "hub.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in production_env(tmp_path).items()))
    env = hub_env(tmp_path / "data", HUB_ENV_FILE=str(env_file), HUB_HOME=str(ROOT))
    del env["HUB_DATA_DIR"]

    done = subprocess.run(  # noqa: S603 - the shipped wrapper
        [str(ROOT / "deploy" / "hub-manage"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert done.stderr == ""


def test_the_documented_environment_makes_cookies_secure_and_turns_on_https(
    tmp_path: Path,
) -> None:
    env = hub_env(tmp_path / "data") | production_env(tmp_path)
    code = (
        "import config.settings as s; print(s.DEBUG, s.DEVELOPMENT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], s.DATABASES['default']['ENGINE'])"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()

    assert out == [
        "False",
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "RedisCache",
        "django.db.backends.postgresql",
    ]


def test_the_deployment_guide_shows_the_tested_environment() -> None:
    guide = DOCS.read_text(encoding="utf-8")
    for key, value in documented_environment().items():
        assert f"{key}={value}" in guide


def _assert_security_headers(response: object) -> None:
    csp = response["Content-Security-Policy"]  # type: ignore[index]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe" not in csp and "*" not in csp
    assert response["X-Frame-Options"] == "DENY"  # type: ignore[index]
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert response["Referrer-Policy"] == "same-origin"  # type: ignore[index]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"  # type: ignore[index]


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_security_headers(client_a: Client) -> None:
    anonymous = Client()
    responses = {
        "log-in page": anonymous.get(reverse("login")),
        "missing page": anonymous.get("/no-such-page/"),
        "redirect to log in": anonymous.get(reverse("home")),
        "signed-in page": client_a.get(reverse("partners:organisation_list", args=["alpha"])),
        "refused upload": anonymous.post(
            reverse("login"), data="x" * 2_000_000, content_type="text/plain"
        ),
    }
    assert [r.status_code for r in responses.values()] == [200, 404, 302, 200, 413]
    for response in responses.values():
        _assert_security_headers(response)


@pytest.mark.django_db
def test_hsts_is_sent_over_https_once_configured(settings: object) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000  # type: ignore[attr-defined]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # type: ignore[attr-defined]
    settings.SECURE_HSTS_PRELOAD = True  # type: ignore[attr-defined]

    over_https = Client().get(reverse("login"), secure=True)
    over_http = Client().get(reverse("login"))

    assert over_https["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "Strict-Transport-Security" not in over_http
