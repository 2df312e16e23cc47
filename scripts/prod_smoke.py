"""Set up the production configuration on this machine and smoke-test it over HTTP.

The documented environment (deploy/hub.env) with a scratch PostgreSQL database, a Redis server
of its own on a free port, gunicorn on a free port of 127.0.0.1 and two background workers
(`manage.py run_worker` twice). It runs `check --deploy`, migrates, collects the static files
and loads the demo; then checks, as nginx would send them (X-Forwarded-Proto: https): the log-in
page and its security headers, plain HTTP redirected to HTTPS, a sign-in and a signed-in page,
/health/ when this version has it, a static file's cache and compression headers, and a
password-reset mail enqueued by a page and sent by a worker. Every process it started is stopped
by its id and the database dropped. Exit status 0 when every check passed.

Usage: .venv/bin/python scripts/prod_smoke.py [--postgres URL] [--database NAME]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV_FILE = ROOT / "deploy" / "hub.env"
DEMO_USER, DEMO_PASSWORD = "aotearoa", "demo-password"  # noqa: S105 - the published demo login
STARTUP_SECONDS = 30
TASK_SECONDS = 30


def documented_environment() -> dict[str, str]:
    """Return the variables of deploy/hub.env, as systemd's EnvironmentFile= reads them."""
    found = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, ready: Callable[[], bool], seconds: float) -> None:
    """Wait until ready() is true; fail saying what never came."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise SmokeFailed(f"{what} did not come up within {seconds:.0f} s")
        time.sleep(0.2)


class SmokeFailed(Exception):
    """A step of the smoke test failed; the message says which and why."""


class Response:
    """A reply: its status, headers and body."""

    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()

    def header(self, name: str) -> str:
        return str(self.headers.get(name, ""))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Talk to the Hub on 127.0.0.1 as a browser behind nginx would, keeping its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        https: bool = True,
    ) -> Response:
        """Send one request; HTTPS as nginx reports it (X-Forwarded-Proto), or plain HTTP."""
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = Response(conn.getresponse())
        finally:
            conn.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return response

    def csrf_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise SmokeFailed("the form has no CSRF token")
        return match.group(1)


class Smoke:
    """The processes and scratch resources of one run, and the checks' results."""

    def __init__(self, postgres: str, database: str) -> None:
        self.postgres = postgres.rstrip("/")
        self.database = database
        self.tmp = Path(tempfile.mkdtemp(prefix="hub-smoke-"))
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.port = free_port()
        self.redis_port = free_port()
        self.passed: list[str] = []

    # --- set-up and tear-down ------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """Return the documented production environment, pointed at this run's resources."""
        etc = self.tmp / "etc-hub"
        etc.mkdir(exist_ok=True)
        (etc / "secret_key").write_text(secrets.token_urlsafe(50))
        (etc / "database_url").write_text(f"{self.postgres}/{self.database}")
        (etc / "smtp_password").write_text("unused")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DJANGO_"))}
        env |= {k: v.replace("/etc/hub/", f"{etc}/") for k, v in documented_environment().items()}
        env |= {
            "HUB_DATA_DIR": str(self.tmp / "data"),
            "HUB_STATIC_ROOT": str(self.tmp / "static"),
            "HUB_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "HUB_ALLOWED_HOSTS": "127.0.0.1",
            "HUB_SITE_URL": f"https://127.0.0.1:{self.port}",
            "HUB_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{self.port}",
            # Mail goes to the workers' output, where this script reads it: no SMTP server here.
            "HUB_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "HUB_LOG_LEVEL": "WARNING",
        }
        return env

    def psql(self, sql: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(f"{self.postgres}/{database}", autocommit=True) as conn:
            cursor = conn.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []

    def manage(self, env: dict[str, str], *args: str) -> str:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise SmokeFailed(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        print(f"     manage.py {args[0]}: {time.monotonic() - started:.1f} s", flush=True)
        return done.stdout + done.stderr

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own programs
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        """Stop every process this run started, by its id, newest first; then clean up."""
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:
            self.psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def ok(self, what: str, condition: bool, detail: str = "") -> None:
        if not condition:
            raise SmokeFailed(f"{what}: {detail}" if detail else what)
        self.passed.append(what)
        print(f"ok   {what}", flush=True)

    def set_up(self) -> tuple[dict[str, str], list[int]]:
        """Start Redis, create the database, prepare the Hub and start gunicorn and workers."""
        redis = shutil.which("redis-server")
        if not redis:
            raise SmokeFailed(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        self.start(
            "redis",
            [redis, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.tmp)],
            dict(os.environ),
        )
        self.psql(f'CREATE DATABASE "{self.database}"')
        env = self.env()
        # Migrating takes longest: the checks and the static files meanwhile, as in a release.
        migrating = self.start("migrate", [sys.executable, "manage.py", "migrate"], env)
        checked = self.manage(env, "check", "--deploy", "--fail-level", "WARNING")
        self.ok("check --deploy passes", "no issues" in checked, checked)
        self.manage(env, "collectstatic", "--noinput")
        if migrating.wait(timeout=300) != 0:
            raise SmokeFailed(f"manage.py migrate failed:\n{self.log('migrate')}")
        self.processes.remove(("migrate", migrating))
        self.manage(env, "load_demo")
        self.start(
            "gunicorn",
            [str(BIN / "gunicorn"), "-c", "python:config.gunicorn_metrics", "config.wsgi"]
            + ["--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "2", "--timeout", "60", "--forwarded-allow-ips", "127.0.0.1"]
            + ["--control-socket", str(self.tmp / "gunicorn.ctl")],
            env | {"PROMETHEUS_MULTIPROC_DIR": str(self.tmp / "metrics")},
        )
        workers = [
            self.start(f"worker-{n}", [sys.executable, "manage.py", "run_worker"], env).pid
            for n in (1, 2)
        ]
        wait_for("gunicorn", self._answers, STARTUP_SECONDS)
        return env, workers

    def _answers(self) -> bool:
        for name, process in self.processes:
            if process.poll() is not None:
                raise SmokeFailed(f"{name} stopped at start:\n{self.log(name)[-3000:]}")
        try:
            Browser(self.port).request("GET", "/login/")
        except OSError:
            return False
        return True

    # --- the checks ----------------------------------------------------------------------------

    def check_pages(self) -> Browser:
        browser = Browser(self.port)
        login = browser.request("GET", "/login/")
        self.ok("the log-in page answers 200", login.status == 200, str(login.status))
        csp = login.header("Content-Security-Policy")
        self.ok(
            "a strict content security policy",
            "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp,
            csp,
        )
        for name, value in (
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload"),
        ):
            self.ok(f"{name}: {value}", login.header(name) == value, login.header(name))
        csrf_cookie = next((c for c in browser.set_cookies if c.startswith("csrftoken=")), "")
        self.ok("the CSRF cookie is Secure", "secure" in csrf_cookie.lower(), csrf_cookie)

        plain = browser.request("GET", "/login/", https=False)
        self.ok(
            "plain HTTP is redirected to HTTPS",
            plain.status == 301 and plain.header("Location").startswith("https://"),
            f"{plain.status} {plain.header('Location')}",
        )

        token = browser.csrf_token(login.text)
        signed_in = browser.request(
            "POST",
            "/login/",
            form={"csrfmiddlewaretoken": token, "username": DEMO_USER, "password": DEMO_PASSWORD},
        )
        session = next((c for c in browser.set_cookies if c.startswith("sessionid=")), "")
        self.ok("signing in redirects", signed_in.status == 302, str(signed_in.status))
        self.ok(
            "the session cookie is Secure and HttpOnly",
            "secure" in session.lower() and "httponly" in session.lower(),
            session,
        )
        page = signed_in
        for _hop in range(4):  # the home page sends a member on to their affiliate
            if page.status not in (301, 302):
                break
            page = browser.request("GET", page.header("Location").replace(browser.origin, ""))
        self.ok(
            "a signed-in page answers 200 with the log-out button",
            page.status == 200 and "logout" in page.text,
            f"{page.status} {page.text[:300]}",
        )
        health = browser.request("GET", "/health/")
        if health.status == 404:
            print("--   /health/ is not in this version: skipped", flush=True)
        else:
            self.ok("/health/ answers 200", health.status == 200, f"{health.status} {health.text}")
        return browser

    def check_static(self) -> None:
        browser = Browser(self.port)
        login = browser.request("GET", "/login/")
        match = re.search(r'href="(/static/[^"]+\.css)"', login.text)
        self.ok("the page links a stylesheet under /static/", bool(match), login.text[:300])
        assert match is not None  # noqa: S101 - narrowed for the type checker
        css = browser.request("GET", match.group(1), headers={"Accept-Encoding": "gzip"})
        self.ok("the stylesheet answers 200", css.status == 200, str(css.status))
        self.ok(
            "its name carries its hash",
            bool(re.search(r"\.[0-9a-f]{12}\.css$", match.group(1))),
            match.group(1),
        )
        self.ok("it is text/css", css.header("Content-Type").startswith("text/css"))
        self.ok(
            "it is cached for ever (immutable)",
            "immutable" in css.header("Cache-Control")
            and "max-age=315360000" in css.header("Cache-Control"),
            css.header("Cache-Control"),
        )
        self.ok("it is sent compressed", css.header("Content-Encoding") == "gzip")
        self.ok("with nosniff", css.header("X-Content-Type-Options") == "nosniff")

    def check_task(self, browser: Browser, workers: list[int]) -> None:
        form = browser.request("GET", "/password-reset/")
        sent = browser.request(
            "POST",
            "/password-reset/",
            form={
                "csrfmiddlewaretoken": browser.csrf_token(form.text),
                "email": f"{DEMO_USER}@example.org",
            },
        )
        self.ok("a password reset is accepted", sent.status == 302, f"{sent.status}")

        def mailed() -> bool:
            rows = self.psql(
                "SELECT status FROM django_tasks_database_dbtaskresult "
                "WHERE task_path LIKE '%send_mail_task'",
                self.database,
            )
            return bool(rows) and all(row[0] == "SUCCESSFUL" for row in rows)

        wait_for("the password-reset mail task", mailed, TASK_SECONDS)
        self.ok("the enqueued task ran", True)
        logs = self.log("worker-1") + self.log("worker-2")
        link = re.escape(browser.origin) + r"/password-reset/[\w-]+/[\w-]+/"
        self.ok("a worker sent the mail with an https link", bool(re.search(link, logs)))
        beating = {
            int(row[0]) for row in self.psql("SELECT pid FROM core_workerheartbeat", self.database)
        }
        self.ok("both workers report a heartbeat", set(workers) <= beating, f"{beating}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HUB_SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="the PostgreSQL server (a scratch database is created on it and dropped)",
    )
    parser.add_argument("--database", default=f"hub_smoke_{secrets.token_hex(4)}")
    args = parser.parse_args()
    started = time.monotonic()
    smoke = Smoke(args.postgres, args.database)
    try:
        _env, workers = smoke.set_up()
        browser = smoke.check_pages()
        smoke.check_static()
        smoke.check_task(browser, workers)
    except SmokeFailed as failure:
        print(f"FAIL {failure}", flush=True)
        for name, _process in smoke.processes:
            print(f"--- {name} (last lines)\n{smoke.log(name)[-1500:]}", flush=True)
        return 1
    finally:
        smoke.stop_all()
    seconds = time.monotonic() - started
    print(f"smoke test passed: {len(smoke.passed)} checks in {seconds:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
