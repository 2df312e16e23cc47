"""A MediaWiki client that stops at a chosen step of an upload, so a crash test can kill it there.

Named by HUB_UPLOADS_CLIENT_CLASS in a worker's environment. ``HUB_UPLOADS_BLOCK_DIR/<point>``
holding N makes the N-th call at that point write ``reached-<point>`` (the process id) and
sleep until killed. Points: ``upload-before`` / ``upload-after`` (a whole file in one request),
``chunk-before`` / ``chunk-after`` (one chunk into the stash), ``finish-before`` /
``finish-after`` (publishing from the stash), ``<action>-before`` / ``-after`` otherwise.
``HUB_UPLOADS_SMALL_CHUNKS`` makes every file above 8 KB go in 4 KB chunks.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.results import UploadLimits


def point_of(params: Mapping[str, Any]) -> str:
    """Return the name of the step a write request is."""
    action = str(params.get("action", ""))
    if action != "upload":
        return action
    if params.get("stash"):
        return "chunk"
    if params.get("filekey"):
        return "finish"
    return "upload"


class BlockingClient(MediaWikiClient):
    """Stop (forever) at the step the block folder names; otherwise a plain client."""

    calls: ClassVar[Counter[str]] = Counter()
    # In-process tests: point → an error raised once there (a 500 before the bytes go, a
    # timeout after they arrived).
    faults: ClassVar[dict[str, Exception]] = {}

    def post_with_token(self, params: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        point = point_of(params)
        self._maybe_block(f"{point}-before")
        self._maybe_fail(f"{point}-before")
        reply = super().post_with_token(params, **kwargs)
        self._maybe_block(f"{point}-after")
        self._maybe_fail(f"{point}-after")
        return reply

    @classmethod
    def _maybe_fail(cls, name: str) -> None:
        fault = cls.faults.pop(name, None)
        if fault is not None:
            raise fault

    def upload_limits(self) -> UploadLimits:
        limits = super().upload_limits()
        if os.environ.get("HUB_UPLOADS_SMALL_CHUNKS"):
            return dataclasses.replace(limits, chunk_bytes=4096, single_request_bytes=8192)
        return limits

    def _single_request_bytes(self) -> int:
        return self.upload_limits().single_request_bytes

    @classmethod
    def _maybe_block(cls, name: str) -> None:
        folder = os.environ.get("HUB_UPLOADS_BLOCK_DIR")
        if not folder:
            return
        cls.calls[name] += 1
        rule = Path(folder) / name
        if rule.exists() and cls.calls[name] == int(rule.read_text().strip() or "1"):
            (Path(folder) / f"reached-{name}").write_text(str(os.getpid()))
            while True:
                time.sleep(1)
