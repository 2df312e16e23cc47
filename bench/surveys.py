"""Time partner surveys: sending 1,000 invitations, and the results pages against the floor.

Usage: .venv/bin/python bench/surveys.py [--database sqlite|postgres|both] [--requests 50]
For each database, in a fresh process and a fresh database (``run_fresh``, bench/bench_data.py):
one affiliate with 5,000 contacts (500 partner organisations of 10), 100 partnerships, and
50,004 answers (8,334 responses to a six-question survey); then
- sending: ``send_survey`` to 1,000 contacts of one partnership (invitations and ledger rows
  written, the delivery task queued) and ``deliver`` (each e-mail rendered in the contact's
  language and handed to the mail backend, Django's in-memory one), timed together.
  Target: <= 60 s.
- pages, round-robin with the floor page (bench/urls.py): the affiliate's results page and a
  partnership's. Target: p50 <= 3 x the floor's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import measure_and_report  # noqa: E402
from run import ROOT, WARM_UP, cpu_reference_ms, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "surveys.txt"
TARGET_RATIO = 3.0
TARGET_SEND_SECONDS = 60.0
CONTACTS = 5000
RESPONSES = 8334  # x 6 questions = 50,004 answers
SEND_TO = 1000


def build() -> dict[str, Any]:
    """Write the affiliate, its contacts, partnerships, a survey and the answers."""
    from django.db import connection
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.partners.models import Contact, Organisation
    from hub.partnerships.models import Partnership, PartnershipPartner
    from hub.surveys import services
    from hub.surveys.models import Answer, Invitation, Response, Sending
    from tests import survey_factories

    affiliate = Affiliate.objects.create(name="Bench", slug="a001")
    user = User.objects.create_user(username="bench", password="x" * 12)
    Membership.objects.create(user=user, affiliate=affiliate, role="member")
    regions = ["mea", "lac", "nwe", "cee", "eseap"]
    orgs = Organisation.objects.bulk_create(
        Organisation(affiliate=affiliate, name=f"Museum {n}", region=regions[n % 5])
        for n in range(CONTACTS // 10)
    )
    Contact.objects.bulk_create(
        (
            Contact(
                affiliate=affiliate,
                organisation=orgs[n // 10],
                name=f"Person {n}",
                emails=f"person{n}@example.org",
                preferred_language=["en", "fr", "es", "de"][n % 4],
            )
            for n in range(CONTACTS)
        ),
        batch_size=2000,
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(affiliate=affiliate, title=f"Partnership {n}") for n in range(100)
    )
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(partnership=p, organisation=orgs[n * 5 + k])
        for n, p in enumerate(partnerships)
        for k in range(5)
    )
    survey = survey_factories.survey(affiliate, user)
    version = services.freeze(survey)
    questions = list(version.questions.all())
    deadline = timezone.localdate() + dt.timedelta(days=30)
    sendings = Sending.objects.bulk_create(
        Sending(affiliate=affiliate, version=version, partnership=p, deadline=deadline)
        for p in partnerships
    )
    contacts = list(Contact.objects.filter(affiliate=affiliate).order_by("pk"))
    invitations = Invitation.objects.bulk_create(
        (
            Invitation(
                sending=sendings[(n // 10) // 5 % 100],
                affiliate=affiliate,
                contact=c,
                name=c.name,
                email=c.main_email,
                key=f"bench{n}",
                region=regions[(n // 10) % 5],
            )
            for n, c in enumerate(contacts)
        ),
        batch_size=2000,
    )
    # Each contact answered (some twice over the years, as later sendings add responses).
    responses = Response.objects.bulk_create(
        (
            Response(invitation=i, affiliate=affiliate, submitted_at=timezone.now())
            for i in invitations[:CONTACTS]
        ),
        batch_size=2000,
    )
    extra = RESPONSES - len(responses)
    # A second sending per partnership (a year earlier) to the same contacts.
    earlier = Sending.objects.bulk_create(
        Sending(affiliate=affiliate, version=version, partnership=p, deadline=deadline)
        for p in partnerships
    )
    more = Invitation.objects.bulk_create(
        (
            Invitation(
                sending=earlier[(n // 10) // 5 % 100],
                affiliate=affiliate,
                contact=contacts[n],
                name=contacts[n].name,
                email=contacts[n].main_email,
                key=f"bench-more{n}",
                region=regions[n % 5],
            )
            for n in range(extra)
        ),
        batch_size=2000,
    )
    responses += Response.objects.bulk_create(
        (Response(invitation=i, affiliate=affiliate, submitted_at=timezone.now()) for i in more),
        batch_size=2000,
    )
    answers = []
    for n, r in enumerate(responses):
        for q in questions:
            kind = q.kind
            if kind == "rating":
                answers.append(Answer(response=r, question=q, number=1 + n % 5))
            elif kind == "recommend":
                answers.append(Answer(response=r, question=q, number=n % 11))
            elif kind == "yes_no":
                answers.append(Answer(response=r, question=q, number=n % 2))
            elif kind == "single":
                answers.append(Answer(response=r, question=q, choices=[n % 2]))
            elif kind == "multiple":
                answers.append(Answer(response=r, question=q, choices=[0, n % 3]))
            else:
                answers.append(Answer(response=r, question=q, text=f"Comment number {n}."))
    Answer.objects.bulk_create(answers, batch_size=5000)
    # The partnership that is sent to: 1,000 fresh contacts of its partners.
    big_org = Organisation.objects.create(affiliate=affiliate, name="Big partner")
    big = Partnership.objects.create(affiliate=affiliate, title="Big partnership")
    PartnershipPartner.objects.create(partnership=big, organisation=big_org)
    Contact.objects.bulk_create(
        Contact(
            affiliate=affiliate,
            organisation=big_org,
            name=f"Recipient {n}",
            emails=f"recipient{n}@example.org",
            preferred_language=["en", "fr", "es"][n % 3],
        )
        for n in range(SEND_TO)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return {
        "user": user,
        "survey": survey,
        "partnership": partnerships[0],
        "big": big,
        "answers": len(answers),
    }


def measure(requests: int) -> dict[str, Any]:
    """Build the data, time the sending and the pages, return the figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.urls import FLOOR_PATH
    from hub.surveys import services

    settings.ROOT_URLCONF = "bench.urls"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the results' cache (the database's)
    made = build()
    load_seconds = time.perf_counter() - started

    t0 = time.perf_counter()
    sending = services.send_survey(
        actor=made["user"],
        survey=made["survey"],
        partnership=made["big"],
        contacts=services.partnership_contacts(made["big"]),
        deadline=timezone.localdate() + dt.timedelta(days=21),
    )
    queued = time.perf_counter() - t0
    counts = services.deliver(sending_id=sending.pk)
    send_seconds = time.perf_counter() - t0
    if counts["sent"] != SEND_TO or len(mail.outbox) != SEND_TO:
        raise SystemExit(f"sent {counts} / outbox {len(mail.outbox)}, expected {SEND_TO}")

    client = Client()
    client.force_login(made["user"])
    pages = {
        "floor": f"/a/a001/{FLOOR_PATH}",
        "affiliate results": "/a/a001/surveys/results/",
        "partnership results": f"/a/a001/partnerships/{made['partnership'].pk}/surveys/",
    }
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "answers": made["answers"],
        "load_seconds": round(load_seconds, 1),
        "send": {
            "invitations": SEND_TO,
            "queued_s": round(queued, 2),
            "total_s": round(send_seconds, 2),
        },
        "pages": {},
    }
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        url = pages[os.environ["BENCH_PROFILE"]]
        client.get(url)
        profile = cProfile.Profile()
        profile.runcall(lambda: [client.get(url) for _ in range(5)])
        stats = pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative")
        stats.print_stats(os.environ.get("BENCH_PROFILE_ONLY", ""), 40)
        return result
    for url in pages.values():
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    # Round-robin with the floor, so that other work on the machine slows all pages alike.
    for _ in range(requests):
        for name, url in pages.items():
            t0 = time.perf_counter()
            client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
    result["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["cpu_reference_ms"] = [cpu_before, cpu_reference_ms()]
    result["pages"] = {
        name: {"p50": statistics.median(v), "p95": percentile(v, 0.95), "n": len(v)}
        for name, v in timings.items()
    }
    return result


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures per database, as ratios to the floor, with the verdicts."""
    lines = [f"{'database':<10}  {'what':<24} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8} {'':>5}"]
    for result in results:
        floor = result["pages"]["floor"]["p50"]
        for name, page in result["pages"].items():
            ratio = page["p50"] / floor
            ok = "" if name == "floor" else ("ok" if ratio <= TARGET_RATIO else "MISS")
            lines.append(
                f"{result['vendor']:<10}  {name:<24} {page['p50']:>8.1f} {page['p95']:>8.1f} "
                f"{ratio:>8.2f} {ok:>5}"
            )
        send = result["send"]
        ok = "ok" if send["total_s"] <= TARGET_SEND_SECONDS else "MISS"
        lines.append(
            f"{result['vendor']:<10}  sending {send['invitations']:,} invitations: "
            f"{send['total_s']} s (written and queued in {send['queued_s']} s) {ok}"
        )
        before, after = result.get("load", ["?", "?"])
        lines.append(
            f"{result['vendor']:<10}  {result['answers']:,} answers, loaded in "
            f"{result['load_seconds']} s; load average while timing: {before} -> {after} "
            f"({os.cpu_count()} CPUs); CPU reference loop: "
            f"{' -> '.join(str(ms) for ms in result.get('cpu_reference_ms', []))} ms"
        )
    lines.append(
        f"Targets: results pages p50 <= {TARGET_RATIO:g} x the floor page; "
        f"{SEND_TO:,} invitations sent in <= {TARGET_SEND_SECONDS:g} s."
    )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database in a fresh worker, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.requests)))
        return
    measure_and_report(
        args.database,
        __file__,
        ["--requests", str(args.requests)],
        name="surveys",
        table=table,
        results_path=RESULTS,
    )


if __name__ == "__main__":
    main()
