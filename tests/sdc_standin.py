"""A stand-in for Commons' structured data (WikibaseMediaInfo) on 127.0.0.1, for tests.

The local MediaWiki has no WikibaseMediaInfo, so ``wbgetentities``, ``wbeditentity`` and
``wbsetlabel`` are answered here, with the shapes recorded from real Commons traffic in
``shared/fixtures/commons-sdc/`` and ``commons-upload/`` (flickypedia's cassettes), keeping
state so that a write and the next read agree (statement ids, hashes, ``lastrevid``).

Two ways to run it:

- alone (``SdcStandIn()``): it knows the files of the recordings (their page ids, titles and
  entities) and answers tokens, siteinfo and ``prop=info`` itself;
- in front of the local wiki (``SdcStandIn(upstream=wiki.base_url)``): every request that is
  not a Wikibase one goes to the wiki as it is (logins, uploads, queries), and a MediaInfo
  entity exists for every file page the wiki has. An upload → caption → structured data flow
  then runs end to end, the way it does on Commons.

What is recorded and what is not: the success shapes, ``badvalue`` for an unknown caption
language (``wbsetlabel``), ``modification-failed``/``wikibase-validator-label-too-long``,
``no-such-entity-link`` and the ``missing`` entity shapes are real. Not recorded anywhere, and
so written after Wikibase's source: ``no-such-entity`` (by id), ``not-recognized-language`` (an
unknown language inside ``wbeditentity``'s data) and ``editconflict`` (a stale ``baserevid``;
real Wikibase sometimes merges instead).
"""

from __future__ import annotations

import copy
import hashlib
import http.client
import json
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.wikiserver import LoopbackServer

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
SDC = FIXTURES / "commons-sdc"
LANGUAGES = frozenset(
    "ar ca cs cy da de el en eo es et eu fa fi fr ga gl he hi hu id it ja ko la lt nb nl nn "
    "pl pt ro ru sk sl sr sv sw tr uk ur vi zh".split()
)
TOKEN = "standin0token+\\"  # noqa: S105 - what a CSRF token looks like


def _interactions(name: str) -> list[dict[str, Any]]:
    data = json.loads((SDC / name).read_text(encoding="utf-8"))
    return list(data["interactions"])


def _recorded_error(name: str, index: int = 1) -> dict[str, Any]:
    return copy.deepcopy(_interactions(name)[index]["response"]["body_json"])


def _snak_hash(snak: dict[str, Any]) -> str:
    stable = {k: snak[k] for k in ("snaktype", "property", "datavalue") if k in snak}
    return hashlib.sha1(json.dumps(stable, sort_keys=True).encode()).hexdigest()  # noqa: S324


class SdcStandIn(LoopbackServer):
    """Answer Commons' structured-data API calls from state, on 127.0.0.1."""

    def __init__(self, *, upstream: str | None = None) -> None:
        self.upstream = upstream.rstrip("/") if upstream else None
        self.pages: dict[int, str] = {}  # page id → "File:..." (alone: from the recordings)
        self.entities: dict[int, dict[str, Any]] = {}  # page id → labels, statements, lastrevid
        self.revision = 900_000_000
        self.seen: list[dict[str, str]] = []  # the parameters of every Wikibase request
        self._lock = threading.Lock()
        if self.upstream is None:
            self._load_recordings()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                params = standin._params(self.path, self.headers.get("Content-Type", ""), body)
                if params.get("action", "").startswith("wb"):
                    status, headers, payload = standin._wikibase(params)
                elif standin.upstream:
                    status, headers, payload = standin._forward(self, body)
                else:
                    status, headers, payload = standin._query(params)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _handle  # noqa: N815 - http.server's naming
            do_POST = _handle  # noqa: N815

        self.serve(Handler)

    @property
    def api_url(self) -> str:
        return self.url("/api.php" if self.upstream else "/w/api.php")

    # -- state from the recordings --------------------------------------------------------

    def _load_recordings(self) -> None:
        for path in sorted(SDC.glob("flickypedia_*.json")):
            for interaction in _interactions(path.name):
                form = interaction["request"].get("form") or {}
                reply = interaction["response"].get("body_json") or {}
                entity = reply.get("entity")
                if isinstance(entity, dict) and "title" in form:
                    self.pages.setdefault(int(entity["id"][1:]), form["title"])
                for key, raw in (reply.get("entities") or {}).items():
                    if key.startswith("M") and "pageid" in raw:
                        # The first time a recording shows an entity is its state "before".
                        self.pages[int(raw["pageid"])] = raw["title"]
                        self.entities.setdefault(int(raw["pageid"]), copy.deepcopy(raw))
                    elif key.startswith("M") and "missing" in raw:
                        # Asked by title, answered with an id: a file with no data yet.
                        asked = dict(parse_qsl(urlsplit(interaction["request"]["uri"]).query))
                        if "titles" in asked:
                            self.pages[int(key[1:])] = asked["titles"]

    # -- pages ------------------------------------------------------------------------------

    def _page(self, *, page_id: int | None = None, title: str | None = None) -> int | None:
        """Return the page id of a file page, by id or title, or None when there is none."""
        if self.upstream:
            query = {"pageids": str(page_id)} if page_id else {"titles": str(title)}
            url = f"{self.upstream}/api.php?" + urlencode(
                {"action": "query", "prop": "info", "format": "json", "formatversion": "2", **query}
            )
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.netloc, timeout=30)
            connection.request("GET", f"{parts.path}?{parts.query}")
            data = json.loads(connection.getresponse().read())
            connection.close()
            for page in data.get("query", {}).get("pages", []):
                if "missing" not in page and "invalid" not in page and page.get("ns") == 6:
                    self.pages[int(page["pageid"])] = page["title"]
                    return int(page["pageid"])
            return None
        if page_id is not None:
            return page_id if page_id in self.pages else None
        wanted = str(title).replace("_", " ")
        return next((p for p, t in self.pages.items() if t == wanted), None)

    def _entity(self, page_id: int) -> dict[str, Any]:
        mid = f"M{page_id}"
        entity = self.entities.get(page_id)
        if entity is None:
            return {"id": mid, "missing": ""}
        return {
            "pageid": page_id,
            "ns": 6,
            "title": self.pages[page_id],
            "lastrevid": entity["lastrevid"],
            "modified": entity.get("modified", ""),
            "type": "mediainfo",
            "id": mid,
            "labels": entity.get("labels") or {},
            "descriptions": entity.get("descriptions") or {},
            "statements": entity.get("statements") or [],  # Commons: [] when there are none
        }

    # -- Wikibase ---------------------------------------------------------------------------

    def _wikibase(self, params: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        with self._lock:
            self.seen.append(params)
            action = params["action"]
            if action == "wbgetentities":
                return self._reply(self._get(params))
            if "token" not in params:
                return self._error(
                    {"code": "notoken", "info": 'The "token" parameter must be set.'}
                )
            target = self._target(params)
            if isinstance(target, dict):
                return self._error(target)
            if action == "wbsetlabel":
                return self._set_label(target, params)
            if action == "wbeditentity":
                return self._edit(target, params)
            return self._error({"code": "badvalue", "info": f"Unrecognized action {action}."})

    def _get(self, params: dict[str, str]) -> dict[str, Any]:
        entities: dict[str, Any] = {}
        for mid in filter(None, params.get("ids", "").split("|")):
            page_id = self._page(page_id=int(mid[1:])) if mid[1:].isdigit() else None
            entities[mid] = self._entity(page_id) if page_id else {"id": mid, "missing": ""}
        for n, title in enumerate(filter(None, params.get("titles", "").split("|")), start=1):
            page_id = self._page(title=title)
            if page_id:
                entities[f"M{page_id}"] = self._entity(page_id)
            else:
                site = params.get("sites", "commonswiki")
                entities[f"-{n}"] = {"site": site, "title": title, "missing": ""}
        return {"entities": entities, "success": 1}

    def _target(self, params: dict[str, str]) -> int | dict[str, Any]:
        if "title" in params:
            page_id = self._page(title=params["title"])
            if page_id is None:
                name = "flickypedia_TestAddFileCaption.test_fails_if_file_does_not_exist.json"
                return dict(_recorded_error(name)["error"])
            return page_id
        mid = params.get("id", "")
        page_id = self._page(page_id=int(mid[1:])) if mid[1:].isdigit() else None
        if page_id is None:
            info = f'Could not find an entity with the ID "{mid}".'
            return {
                "code": "no-such-entity",
                "info": info,
                "messages": [
                    {"name": "wikibase-api-no-such-entity", "parameters": [], "html": {"*": info}}
                ],
            }
        return page_id

    def _label_problem(self, language: str, value: str, *, edit: bool) -> dict[str, Any] | None:
        if language not in LANGUAGES:
            if edit:
                return {"code": "not-recognized-language", "info": f"Unknown language: {language}"}
            name = "flickypedia_TestAddFileCaption.test_fails_if_bad_language.json"
            error = dict(_recorded_error(name)["error"])
            error["info"] = error["info"].replace("doesnotexist", language)
            return error
        if len(value) > 250:
            name = "flickypedia_TestAddFileCaption.test_fails_if_file_caption_is_too_long.json"
            return dict(_recorded_error(name)["error"])
        return None

    def _bump(self, page_id: int) -> dict[str, Any]:
        entity = self.entities.setdefault(page_id, {"labels": {}, "statements": {}})
        if not isinstance(entity.get("statements"), dict):
            entity["statements"] = {}
        self.revision += 1
        entity["lastrevid"] = self.revision
        entity["modified"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return entity

    def _set_label(self, page_id: int, params: dict[str, str]) -> Any:
        language, value = params.get("language", ""), params.get("value", "")
        problem = self._label_problem(language, value, edit=False)
        if problem:
            return self._error(problem)
        entity = self._bump(page_id)
        entity.setdefault("labels", {})[language] = {"language": language, "value": value}
        return self._reply(
            {
                "entity": {
                    "labels": {language: {"language": language, "value": value}},
                    "id": f"M{page_id}",
                    "type": "mediainfo",
                    "lastrevid": entity["lastrevid"],
                },
                "success": 1,
            }
        )

    def _edit(self, page_id: int, params: dict[str, str]) -> Any:
        data = json.loads(params.get("data") or "{}")
        current = self.entities.get(page_id)
        base = params.get("baserevid")
        if base and current is not None and int(base) != current["lastrevid"]:
            return self._error({"code": "editconflict", "info": "Edit conflict."})
        labels = data.get("labels") or {}
        for language, label in labels.items():
            problem = self._label_problem(language, label.get("value", ""), edit=True)
            if problem:
                return self._error(problem)
        entity = self._bump(page_id)
        entity.setdefault("labels", {}).update(labels)
        for claim in data.get("claims") or []:
            statement = copy.deepcopy(claim)
            statement["mainsnak"]["hash"] = _snak_hash(statement["mainsnak"])
            for snaks in (statement.get("qualifiers") or {}).values():
                for snak in snaks:
                    snak["hash"] = _snak_hash(snak)
            statement["id"] = f"M{page_id}${str(uuid.uuid4()).upper()}"
            statement.setdefault("rank", "normal")
            prop = statement["mainsnak"]["property"]
            entity["statements"].setdefault(prop, []).append(statement)
        shown = self._entity(page_id)
        return self._reply(
            {
                "entity": {
                    "type": "mediainfo",
                    "id": f"M{page_id}",
                    "labels": shown["labels"],
                    "descriptions": shown["descriptions"],
                    "statements": shown["statements"],
                    "lastrevid": entity["lastrevid"],
                },
                "success": 1,
            }
        )

    # -- the rest of the API ----------------------------------------------------------------

    def _query(self, params: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer tokens, siteinfo, userinfo and ``prop=info`` as Commons would (alone)."""
        query: dict[str, Any] = {}
        meta = params.get("meta", "").split("|")
        if "tokens" in meta:
            query["tokens"] = {"csrftoken": TOKEN}
        if "siteinfo" in meta:
            query["general"] = {
                "generator": "MediaWiki 1.46.0-wmf.3",
                "sitename": "Wikimedia Commons",
            }
        if "userinfo" in meta:
            query["userinfo"] = {"id": 1, "name": "Stand-in", "rights": ["upload", "edit"]}
        if params.get("prop") == "info":
            pages = []
            for pid in filter(None, params.get("pageids", "").split("|")):
                title = self.pages.get(int(pid))
                pages.append(
                    {"pageid": int(pid), "ns": 6, "title": title}
                    if title
                    else {"pageid": int(pid), "missing": True}
                )
            query["pages"] = pages
        return self._reply({"batchcomplete": True, "query": query})

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> Any:
        """Send the request to the wiki as it is, and its reply back as it is."""
        connection = http.client.HTTPConnection(urlsplit(str(self.upstream)).netloc, timeout=600)
        headers = {
            k: v
            for k, v in handler.headers.items()
            if k.lower() in {"content-type", "cookie", "user-agent", "accept", "content-length"}
        }
        connection.request(handler.command, handler.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        kept = {"content-type", "set-cookie", "mediawiki-api-error", "retry-after"}
        return (
            response.status,
            [(k, v) for k, v in response.getheaders() if k.lower() in kept],
            payload,
        )

    @staticmethod
    def _params(path: str, content_type: str, body: bytes) -> dict[str, str]:
        # Wikibase calls are forms; uploads (multipart) only pass through to the wiki.
        params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        if "urlencoded" in content_type:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return params

    @staticmethod
    def _reply(payload: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [("Content-Type", "application/json; charset=utf-8")]
        return 200, headers, json.dumps(payload).encode()

    @staticmethod
    def _error(error: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("MediaWiki-API-Error", str(error["code"])),
        ]
        return 200, headers, json.dumps({"error": error, "servedby": "standin"}).encode()
