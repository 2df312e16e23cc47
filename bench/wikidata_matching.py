"""Benchmark a Wikidata look-up over a directory: requests made against the API's minimum.

Run: .venv/bin/python bench/wikidata_matching.py [--organisations 1000] [--database sqlite|postgres]

In a fresh process and database: an affiliate with N organisations without a Wikidata item, and
a stand-in Wikidata on 127.0.0.1 that answers wbsearchentities (three hits per name, some items
shared between names, as namesakes are) and wbgetentities (any ids asked, with a country). The
run goes through hub.partners.wikidata.continue_run, as the worker would. The minimum the API
allows is one search per name, plus the distinct items in 50s, plus the distinct countries in
50s; the target is at most 1.2 times that.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_data import run_fresh  # noqa: E402
from tests.wikiserver import LoopbackServer  # noqa: E402

TARGET = 1.2
COUNTRIES = ["Q34", "Q20", "Q36", "Q142", "Q96"]


def _item(qid: str) -> dict[str, Any]:
    n = int(qid[1:])
    country = COUNTRIES[n % len(COUNTRIES)]
    return {
        "type": "item",
        "id": qid,
        "labels": {"en": {"language": "en", "value": f"Museum {n % 100000}"}},
        "descriptions": {},
        "aliases": {},
        "claims": {
            "P17": [
                {
                    "mainsnak": {
                        "snaktype": "value",
                        "property": "P17",
                        "datavalue": {"value": {"id": country}, "type": "wikibase-entityid"},
                    },
                    "rank": "normal",
                }
            ],
            "P297": [
                {
                    "mainsnak": {
                        "snaktype": "value",
                        "property": "P297",
                        "datavalue": {"value": "SE", "type": "string"},
                    },
                    "rank": "normal",
                }
            ],
        },
    }


class StandIn(LoopbackServer):
    """A stand-in Wikidata that answers any search and any look-up, counting what it is asked."""

    def __init__(self) -> None:
        self.searches = 0
        self.lookups = 0
        self.ids: set[str] = set()
        self.countries: set[str] = set()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = dict(parse_qsl(urlsplit(self.path).query)) | dict(parse_qsl(body))
                if params.get("action") == "wbsearchentities":
                    stand_in.searches += 1
                    n = int(params["search"].rsplit(" ", 1)[-1])
                    # Its own item, a namesake shared with the next name, one of its own.
                    qids = [f"Q{1000 + n}", f"Q{200000 + n // 2}", f"Q{400000 + n}"]
                    reply: dict[str, Any] = {
                        "search": [{"id": q, "label": "x", "description": ""} for q in qids]
                    }
                else:
                    stand_in.lookups += 1
                    ids = params["ids"].split("|")
                    if params.get("props") == "claims":
                        stand_in.countries.update(ids)
                    else:
                        stand_in.ids.update(ids)
                    reply = {"entities": {i: _item(i) for i in ids}, "success": 1}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle  # noqa: N815
            do_POST = _handle  # noqa: N815

        self.serve(Handler)


def measure(organisations: int) -> dict[str, Any]:
    """Look up every organisation of a fresh affiliate on the stand-in; return the counts."""
    stand_in = StandIn()
    os.environ["HUB_ALLOWED_PRIVATE_WIKIS"] = stand_in.base_url
    os.environ["HUB_IMPACT_WIKIDATA_URL"] = stand_in.base_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from hub.core.models import Affiliate
    from hub.partners import services, wikidata
    from hub.partners.models import WikidataCandidate, WikidataRun

    affiliate = Affiliate.objects.create(name="Bench", slug="bench", country="SE")
    for n in range(organisations):
        services.create_organisation(
            actor=None, affiliate=affiliate, name=f"Museum {n}", country="SE"
        )
    run = WikidataRun.objects.create(affiliate=affiliate, total=organisations)
    started = time.perf_counter()
    wikidata.continue_run(run_id=run.pk)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    minimum = (
        organisations + math.ceil(len(stand_in.ids) / 50) + math.ceil(len(stand_in.countries) / 50)
    )
    made = stand_in.searches + stand_in.lookups
    return {
        "database": connection.vendor,
        "organisations": organisations,
        "requests": made,
        "counted_by_run": run.requests,
        "minimum": minimum,
        "ratio": round(made / minimum, 3),
        "candidates": WikidataCandidate.objects.count(),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.organisations)))
        return
    result = run_fresh(
        args.database,
        __file__,
        ["--organisations", str(args.organisations), "--database", args.database],
        db_name=f"hub_bench_wikidata_{os.getpid()}",
    )
    print(json.dumps(result))
    verdict = "meets" if result["ratio"] <= TARGET else "MISSES"
    print(
        f"{result['organisations']} organisations: {result['requests']} requests, minimum "
        f"{result['minimum']}, ratio {result['ratio']} ({verdict} the target of {TARGET})"
    )


if __name__ == "__main__":
    main()
