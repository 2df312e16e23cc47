"""Time library search against the floor page: 10,000 resources with their files' text.

Usage: .venv/bin/python bench/library.py [--database sqlite|postgres|both] [--resources 10000]
[--requests 50]
For each database, in a fresh process and a fresh database (``run_fresh`` in bench_data.py):
100 affiliates, ``--resources`` resources spread over them (a fifth public, a fifth for their
affiliate only, the rest for the movement), each with a summary, about 3,000 characters of
"extracted" file text drawn from a vocabulary of 5,000 words, facets, in six languages. Then
a member of one affiliate asks, round-robin with the floor page (bench/urls.py): searches of
one to three words (common and rare), a search narrowed by two facets, the library's first
page without words, and a resource page. Target: every search ≤ 4 × floor (p50).
``BENCH_PROFILE="search, two words"`` prints a profile of that page instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import measure_and_report  # noqa: E402
from run import ROOT, WARM_UP, cpu_reference_ms, page_weight, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "library.txt"
TARGET_RATIO = 4.0
LANGUAGES = ("en", "en", "en", "fr", "es", "sv", "de", "pt")
KINDS = ("case_study", "template", "guideline", "promotional")
REAL_WORDS = (
    "museum archive library university ministry agreement licence photo contest permits "
    "wikidata commons upload metadata volunteers training editathon campaign heritage monuments "
    "escuela école bibliothèque biblioteca partnership outreach funding budget impact report"
).split()


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéèáóíñ"
    made = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(5000)}
    return sorted(made) + REAL_WORDS


def _text(rng: random.Random, words: list[str], chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        # Zipf-like: the first words of the vocabulary come up far more often.
        word = words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def build(resource_count: int) -> dict[str, Any]:
    """Fill the database: affiliates, members, resources with their text and facets."""
    from django.core.management import call_command
    from django.db import connection

    from hub.core.models import Affiliate, Membership, User
    from hub.library.models import Resource, ResourceFacet
    from hub.library.vocabulary import search_config

    rng = random.Random(15)
    words = _vocabulary(rng)
    rng.shuffle(words)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the library's facet counts are kept there
    affiliates = Affiliate.objects.bulk_create(
        Affiliate(name=f"Affiliate {n}", slug=f"a{n:03d}") for n in range(100)
    )
    user = User.objects.create_user(username="bench", password="x" * 12)
    Membership.objects.create(user=user, affiliate=affiliates[1], role="member")
    resources = []
    for n in range(resource_count):
        language = rng.choice(LANGUAGES)
        kind = rng.choice(KINDS)
        resources.append(
            Resource(
                affiliate=affiliates[n % len(affiliates)],
                kind=kind,
                template_kind="agreement" if kind == "template" else "",
                title=" ".join(rng.choice(words[:800]) for _ in range(4)).capitalize(),
                summary=_text(rng, words, 300),
                language=language,
                visibility=rng.choice(("public", "affiliate", "movement", "movement", "movement")),
                regions=[rng.choice(("nwe", "mea", "lac", "sa", "eseap"))],
                partner_types=[rng.choice(("museum", "archive", "library", "university"))],
                topics=[rng.choice(("content", "agreements", "training"))],
                extracted_text=_text(rng, words, 3000),
                search_text=_text(rng, words, 200),
                search_config=search_config(language),
            )
        )
    made = Resource.objects.bulk_create(resources, batch_size=500)
    facets = []
    for r in made:
        scope = {"resource": r, "affiliate_id": r.affiliate_id, "visibility": r.visibility}
        facets += [
            ResourceFacet(**scope, facet="kind", value=r.kind),
            ResourceFacet(**scope, facet="language", value=r.language),
            ResourceFacet(**scope, facet="region", value=r.regions[0]),
            ResourceFacet(**scope, facet="partner_type", value=r.partner_types[0]),
            ResourceFacet(**scope, facet="topic", value=r.topics[0]),
        ]
    ResourceFacet.objects.bulk_create(facets, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return {"rare": words[3000], "common": words[0], "second": words[1], "pk": made[7].pk}


def measure(resource_count: int, requests: int) -> dict[str, Any]:
    """Build the data, time the floor and the library's pages round-robin, return the figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.urls import FLOOR_PATH
    from hub.core.models import User

    settings.ROOT_URLCONF = "bench.urls"
    started = time.perf_counter()
    made = build(resource_count)
    load_seconds = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.get(username="bench"))
    pages = {
        "floor": f"/a/a001/{FLOOR_PATH}",
        "library, no words": "/library/",
        "search, one common word": f"/library/?q={made['common']}",
        "search, two words": f"/library/?q=museum+{made['second']}",
        "search, rare word": f"/library/?q={made['rare']}",
        "search, accents folded": "/library/?q=ecole+bibliotheque",
        "search + two facets": f"/library/?q={made['second']}&language=en&region=nwe",
        "resource page": f"/library/{made['pk']}/",
    }
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "resources": resource_count,
        "load_seconds": round(load_seconds, 1),
        "pages": {},
    }
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        url = pages[os.environ["BENCH_PROFILE"]]
        client.get(url)
        profile = cProfile.Profile()
        profile.runcall(lambda: [client.get(url) for _ in range(10)])
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        return result
    html: dict[str, bytes] = {}
    for name, url in pages.items():
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        html[name] = response.content
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
        name: {
            "p50": statistics.median(values),
            "p95": percentile(values, 0.95),
            "n": len(values),
            "gzip_bytes": page_weight(html[name]),
        }
        for name, values in timings.items()
    }
    return result


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures per database and page, as ratios to the floor, with the verdicts."""
    lines = [
        f"{'database':<10}  {'page':<26} {'p50 ms':>7} {'p95 ms':>7} {'× floor':>8} "
        f"{'target':>7} {'KB gz':>6}"
    ]
    for result in results:
        floor = result["pages"]["floor"]["p50"]
        for name, page in result["pages"].items():
            ratio = page["p50"] / floor
            verdict = ""
            if name.startswith("search") or name.startswith("library"):
                verdict = "ok" if ratio <= TARGET_RATIO else "MISS"
            lines.append(
                f"{result['vendor']:<10}  {name:<26} {page['p50']:>7.1f} {page['p95']:>7.1f} "
                f"{ratio:>8.2f} {verdict:>7} {page['gzip_bytes'] / 1024:>6.1f}"
            )
    for result in results:
        before, after = result.get("load", ["?", "?"])
        lines.append(
            f"{result['vendor']:<10}  {result['resources']:,} resources loaded in "
            f"{result['load_seconds']} s; load average while timing: {before} -> {after} "
            f"({os.cpu_count()} CPUs); CPU reference loop: "
            f"{' -> '.join(str(ms) for ms in result.get('cpu_reference_ms', []))} ms"
        )
    lines.append(f"Target: library and search pages p50 <= {TARGET_RATIO:g} x the floor page.")
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database in a fresh worker, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.resources, args.requests)))
        return
    measure_and_report(
        args.database,
        __file__,
        ["--resources", str(args.resources), "--requests", str(args.requests)],
        name="library",
        table=table,
        results_path=RESULTS,
    )


if __name__ == "__main__":
    main()
