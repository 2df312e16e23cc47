"""Upload files to a wiki: what it accepts, what it already has, one request or chunks.

An upload is not idempotent: once its bytes may have reached the wiki it is never sent again
by this module (a timeout or a 5xx raises :class:`WikiOutcomeUnknown`). The caller's ledger
decides what to do by asking :meth:`Uploading.files_by_title` (are those bytes under that
title?) and :meth:`Uploading.titles_with_sha1`. Every warning the wiki gives comes back in
:class:`UploadOutcome.warnings`; nothing is ignored unless the caller says so.

Files are streamed from disk (:mod:`hub.wikimedia.mediawiki.multipart`): a whole file in one
request up to ``UploadLimits.single_request_bytes``, then chunks of ``chunk_bytes`` through the
wiki's upload stash, each read from disk when it is sent, so memory stays bounded whatever the
size of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hub.wikimedia import titles as T
from hub.wikimedia.errors import (
    InvalidTitle,
    WikiApiError,
    WikiBadToken,
    WikiMalformedResponse,
    WikiUploadError,
)
from hub.wikimedia.mediawiki.multipart import FilePart
from hub.wikimedia.mediawiki.results import (
    UploadLimits,
    UploadOutcome,
    WikiFile,
    parse_int,
    resolve_title,
)
from hub.wikimedia.mediawiki.writing import Writing

CHUNK_BYTES = 5 * 1024 * 1024  # what UploadWizard sends per chunk on Commons
SINGLE_REQUEST_BYTES = 100 * 1024 * 1024  # Commons takes no more in one request
MAX_OFFSET_RESYNCS = 3
# A wiki reads, checks and stores what it received within the request (no job queue): for
# big files, give it a second for each of these many bytes (more than the read timeout).
PATIENCE_BYTES_PER_SECOND = 10 * 1024 * 1024

# Plain words for the upload errors a volunteer can do something about.
UPLOAD_ERRORS = {
    "verification-error": "The file's content does not match its name or type: {info}",
    "filetype-banned": "The wiki does not accept files of this type: {info}",
    "filetype-unwanted-type": "The wiki does not accept files of this type: {info}",
    "filetype-missing": "The file name has no extension (.jpg, .png, .pdf ...).",
    "file-too-large": "The file is larger than the wiki accepts.",
    "empty-file": "The file is empty.",
    "illegal-filename": "The wiki does not allow this file name: {info}",
    "filename-tooshort": "The file name is too short.",
    "fileexists-forbidden": "A file with this name exists and may not be replaced.",
    "fileexists-shared-forbidden": "A file with this name exists on the shared repository.",
    "stashfailed": "The wiki could not keep the partly uploaded file: {info}",
    "stashnosuchfilekey": "The partly uploaded file is no longer in the wiki's stash (it "
    "expires after some hours); upload it again from the start.",
    "stashfilenotfound": "The partly uploaded file is no longer in the wiki's stash (it "
    "expires after some hours); upload it again from the start.",
    "permissiondenied": "The account may not upload files on this wiki.",
    "cantupload": "The account may not upload files on this wiki.",
    "mustbeloggedin": "Log in before uploading files.",
    "uploaddisabled": "Uploads are switched off on this wiki.",
    "copyuploadbaddomain": "The wiki does not fetch files from that address.",
    "chunk-too-small": "A chunk was smaller than the wiki accepts: {info}",
}


def upload_error(exc: WikiApiError) -> WikiUploadError:
    """Return the typed upload error, in plain words, for an API error of an upload."""
    template = UPLOAD_ERRORS.get(exc.code, "The wiki refused the upload: {info}")
    return WikiUploadError(
        exc.code, exc.info, url=exc.url, data=exc.data, message=template.format(info=exc.info)
    )


class Uploading(Writing):
    """The uploads of :class:`~hub.wikimedia.mediawiki.MediaWikiClient`."""

    _limits: UploadLimits | None = None

    def upload_limits(self) -> UploadLimits:
        """Return the biggest file, the chunk size and the extensions the wiki accepts."""
        if self._limits is None:
            params: dict[str, Any] = {"action": "query", "siprop": "general|fileextensions"}
            if self._site is not None:
                params["meta"] = "siteinfo"
            query = self.call(params).get("query", {})
            general = query.get("general", {}) if isinstance(query, dict) else {}
            exts = query.get("fileextensions", []) if isinstance(query, dict) else []
            max_bytes = parse_int(general.get("maxuploadsize")) or SINGLE_REQUEST_BYTES
            min_chunk = parse_int(general.get("minuploadchunksize")) or 1024
            self._limits = UploadLimits(
                max_bytes=max_bytes,
                chunk_bytes=max(min_chunk, min(CHUNK_BYTES, max_bytes)),
                extensions=frozenset(
                    str(e.get("ext", "")).lower() for e in exts if isinstance(e, dict)
                ),
                min_chunk_bytes=min_chunk,
                single_request_bytes=min(SINGLE_REQUEST_BYTES, max_bytes),
            )
        return self._limits

    # -- what the wiki already has ----------------------------------------------------------

    def files_by_title(self, titles: Sequence[str]) -> dict[str, WikiFile | None]:
        """Return, for every title asked, the file under it, or None where there is none.

        Titles may omit ``File:``; 50 per request (500 for bots). Asking for the titles of a
        batch before uploading it also spares MediaWiki 1.39 rendering thumbnails inside
        each upload request.
        """
        asked = list(dict.fromkeys(titles))
        wanted: dict[str, str] = {}
        for title in asked:
            try:
                wanted[title] = T.file_title(title)
            except InvalidTitle:
                pass  # no file can be there
        found: dict[str, WikiFile] = {}
        aliases: dict[str, str] = {}
        params = {"prop": "info|imageinfo", "iiprop": "sha1|url"}
        for batch in self._batched(list(dict.fromkeys(wanted.values()))):
            for pages in self.query_pages({**params, "titles": batch}, aliases=aliases):
                for page in pages:
                    file = _wiki_file(page)
                    if file is not None:
                        found[file.title] = file
        return {
            t: found.get(resolve_title(wanted[t], aliases)) if t in wanted else None for t in asked
        }

    def titles_with_sha1(self, sha1: str) -> list[str]:
        """Return the titles of the files whose current version has these bytes (one request)."""
        data = self.call(
            {"action": "query", "list": "allimages", "aisha1": sha1.lower(), "ailimit": "max"}
        )
        images = data.get("query", {}).get("allimages", [])
        if not isinstance(images, list):
            raise WikiMalformedResponse("allimages is not a list.", url=self.api_url)
        return [str(i["title"]) for i in images if isinstance(i, dict) and "title" in i]

    def existing_categories(self, names: Sequence[str]) -> set[str]:
        """Return the names (as given) of the categories that exist: a page, or members."""
        wanted: dict[str, str] = {}
        for name in dict.fromkeys(names):
            try:
                wanted[name] = T.category_title(name)
            except InvalidTitle:
                pass
        existing: set[str] = set()
        aliases: dict[str, str] = {}
        params = {"prop": "info|categoryinfo"}
        for batch in self._batched(list(dict.fromkeys(wanted.values()))):
            for pages in self.query_pages({**params, "titles": batch}, aliases=aliases):
                for page in pages:
                    missing = "missing" in page and page.get("missing") is not False
                    info = page.get("categoryinfo")
                    size = parse_int(info.get("size")) if isinstance(info, dict) else None
                    if not missing or size:
                        existing.add(str(page.get("title", "")))
        return {n for n, title in wanted.items() if resolve_title(title, aliases) in existing}

    def parse_wikitext(self, text: str, *, title: str) -> str:
        """Return the HTML the wiki makes of a page's wikitext (nothing is saved)."""
        data = self.call(
            {
                "action": "parse",
                "text": text,
                "title": title,
                "contentmodel": "wikitext",
                "prop": "text",
                "disablelimitreport": True,
                "disableeditsection": True,
            },
            post=True,
        )
        html = data.get("parse", {}).get("text")
        if isinstance(html, dict):  # formatversion 1
            html = html.get("*")
        if not isinstance(html, str):
            raise WikiMalformedResponse("No HTML in the parse reply.", url=self.api_url)
        return html

    # -- uploading --------------------------------------------------------------------------

    def upload(
        self,
        path: Path,
        *,
        filename: str,
        text: str,
        comment: str,
        ignore_warnings: bool = False,
        chunk_bytes: int | None = None,
        on_chunk: Callable[[str, int], None] | None = None,
        filekey: str = "",
        offset: int = 0,
        with_page_id: bool = True,
    ) -> UploadOutcome:
        """Upload a file from disk under ``filename`` with its page text.

        Above the single-request limit, or when ``chunk_bytes`` is given, the file goes in
        chunks through the stash (``on_chunk(filekey, offset)`` after each, so a ledger can
        keep the key), then is published from the stash. ``filekey`` and ``offset``: carry on
        a chunked upload a crash interrupted. ``with_page_id``: ask the wiki for the new
        file's page id and revision (one more request; a batch can ask for 50 at once with
        :meth:`files_by_title` instead).
        """
        size = path.stat().st_size
        name = _bare_name(filename)
        if chunk_bytes is None and (filekey or size > self._single_request_bytes()):
            chunk_bytes = self.upload_limits().chunk_bytes
        if chunk_bytes:
            stashed = self._send_chunks(
                path, name, size, chunk_bytes, on_chunk, filekey=filekey, offset=offset
            )
            return self.finish_stashed(
                stashed.filekey,
                filename=name,
                text=text,
                comment=comment,
                ignore_warnings=ignore_warnings,
                with_page_id=with_page_id,
                size=size,
            )
        page = {"filename": name, "text": text, "comment": comment}
        return self._publish(
            page, ignore_warnings, with_page_id, size, files={"file": FilePart(path)}
        )

    def finish_stashed(
        self,
        filekey: str,
        *,
        filename: str,
        text: str,
        comment: str,
        ignore_warnings: bool = False,
        with_page_id: bool = True,
        size: int | None = None,
    ) -> UploadOutcome:
        """Publish a file whose bytes are all in the stash under ``filekey``.

        ``size``: the file's size, to wait long enough for the wiki to publish it (asked of the
        stash when not given).
        """
        name = _bare_name(filename)
        if size is None:
            size = self._stashed_size(filekey)
        page = {"filekey": filekey, "filename": name, "text": text, "comment": comment}
        return self._publish(page, ignore_warnings, with_page_id, size)

    def _publish(
        self,
        page: dict[str, Any],
        ignore_warnings: bool,
        with_page_id: bool,
        size: int,
        *,
        files: Mapping[str, FilePart] | None = None,
    ) -> UploadOutcome:
        """Send the upload that publishes a file (from the request's body or the stash)."""
        params = {"action": "upload", **page, "ignorewarnings": ignore_warnings}
        with self._patience(size):
            reply = self._post_upload(params, files=files)
        return self._outcome(reply, str(page["filename"]), with_page_id)

    def _stashed_size(self, filekey: str) -> int:
        try:
            data = self.call(
                {
                    "action": "query",
                    "prop": "stashimageinfo",
                    "siifilekey": filekey,
                    "siiprop": "size",
                }
            )
        except WikiApiError as exc:
            raise upload_error(exc) from exc
        infos = data.get("query", {}).get("stashimageinfo", [])
        info = infos[0] if isinstance(infos, list) and infos else {}
        return parse_int(info.get("size") if isinstance(info, dict) else None) or 0

    @contextmanager
    def _patience(self, size: int) -> Iterator[None]:
        """Wait longer for a reply in which the wiki handles ``size`` bytes (a big file)."""
        connect, read = self.http.timeout
        self.http.timeout = (connect, max(read, size / PATIENCE_BYTES_PER_SECOND))
        try:
            yield
        finally:
            self.http.timeout = (connect, read)

    def stashed_keys(self, filekeys: Sequence[str]) -> list[str]:
        """Return which of these file keys are still in the account's upload stash."""
        kept = []
        for key in dict.fromkeys(filekeys):
            try:
                self.call({"action": "query", "prop": "stashimageinfo", "siifilekey": key})
            except WikiApiError as exc:
                if "stash" in exc.code or "filekey" in exc.code or "sessiondata" in exc.code:
                    continue
                raise
            kept.append(key)
        return kept

    def discard_stashed(self, filekeys: Sequence[str]) -> list[str]:
        """Let go of stashed uploads; return the keys the wiki still holds.

        MediaWiki 1.39's API cannot remove a stashed file (Special:UploadStash can, but a bot
        password's session is API-only): the wiki deletes them once ``$wgUploadStashMaxAge``
        (6 hours) has passed. So an upload must not leave any: duplicates and taken titles
        are found before sending. This says what is left, for the batch's record.
        """
        return self.stashed_keys(filekeys)

    # -- the requests -----------------------------------------------------------------------

    def _single_request_bytes(self) -> int:
        limits = self._limits
        return limits.single_request_bytes if limits is not None else SINGLE_REQUEST_BYTES

    def _post_upload(
        self, params: Mapping[str, Any], *, files: Mapping[str, FilePart] | None = None
    ) -> dict[str, Any]:
        try:
            return self.post_with_token(params, idempotent=False, files=files)
        except WikiBadToken:
            raise
        except WikiApiError as exc:
            raise upload_error(exc) from exc

    def _send_chunks(
        self,
        path: Path,
        name: str,
        size: int,
        chunk_bytes: int,
        on_chunk: Callable[[str, int], None] | None,
        *,
        filekey: str,
        offset: int,
    ) -> UploadOutcome:
        """Send the file's chunks from ``offset`` into the stash; return the stashed outcome."""
        if not filekey:
            offset = 0
        resyncs = 0
        warnings: dict[str, Any] = {}
        while True:
            length = min(chunk_bytes, size - offset)
            params: dict[str, Any] = {
                "action": "upload",
                "stash": True,
                "filename": name,
                "filesize": size,
                "offset": offset,
                # Warnings about part of a file mean nothing; the last chunk's are about all of
                # it, and publishing from the stash asks the wiki again.
                "ignorewarnings": True,
            }
            if offset:
                params["filekey"] = filekey
            # The last chunk's request assembles the whole file: it takes longer.
            last = offset + length >= size
            try:
                with self._patience(size if last else length):
                    reply = self._post_upload(
                        params, files={"chunk": FilePart(path, offset=offset, length=length)}
                    )
            except WikiUploadError as exc:
                # After a crash the wiki may hold more (or less) than we thought: it says how
                # much, and we carry on from there.
                expected = parse_int(exc.data.get("offset"))
                if exc.code != "stashfailed" or expected is None or resyncs >= MAX_OFFSET_RESYNCS:
                    raise
                if expected == offset or not 0 < expected <= size:
                    raise
                resyncs += 1
                offset = expected
                continue
            upload = reply.get("upload")
            if not isinstance(upload, dict):
                raise WikiMalformedResponse("No upload result in the reply.", url=self.api_url)
            filekey = str(upload.get("filekey") or filekey)
            if isinstance(upload.get("warnings"), dict):
                warnings = dict(upload["warnings"])
            result = upload.get("result")
            if result == "Continue":
                offset = parse_int(upload.get("offset")) or offset + length
                if on_chunk is not None:
                    on_chunk(filekey, offset)
                continue
            if result == "Success":
                if on_chunk is not None:
                    on_chunk(filekey, size)
                info = upload.get("imageinfo")
                sha1 = str(info.get("sha1", "")) if isinstance(info, dict) else ""
                return UploadOutcome("Stashed", name, warnings, filekey=filekey, sha1=sha1)
            raise WikiMalformedResponse(
                f"Unexpected chunk result {result!r} (asynchronous uploads are not supported).",
                url=self.api_url,
            )

    def _outcome(self, reply: Mapping[str, Any], name: str, with_page_id: bool) -> UploadOutcome:
        upload = reply.get("upload")
        if not isinstance(upload, dict):
            raise WikiMalformedResponse("No upload result in the reply.", url=self.api_url)
        result = str(upload.get("result", ""))
        warnings = upload.get("warnings")
        warnings = dict(warnings) if isinstance(warnings, dict) else {}
        stored = str(upload.get("filename") or name)
        filekey = str(upload.get("filekey") or "")
        if result == "Warning":
            return UploadOutcome("Warning", stored, warnings, filekey=filekey)
        if result != "Success":
            raise WikiMalformedResponse(f"Unexpected upload result {result!r}.", url=self.api_url)
        info = upload.get("imageinfo")
        info = info if isinstance(info, dict) else {}
        title = str(info.get("canonicaltitle") or T.file_title(stored))
        file = WikiFile(
            title=title,
            page_id=0,
            sha1=str(info.get("sha1", "")),
            url=str(info.get("url", "")),
            description_url=str(info.get("descriptionurl", "")),
        )
        if with_page_id:
            file = self.files_by_title([title]).get(title) or file
        return UploadOutcome("Success", stored, warnings, file=file, sha1=file.sha1)


def _bare_name(filename: str) -> str:
    """Return the name to send: without ``File:``, otherwise as given (the wiki judges it)."""
    name = filename.strip()
    head, sep, rest = name.partition(":")
    if sep and head.strip().lower() in T.FILE_PREFIXES:
        return rest.strip()
    return name


def _wiki_file(page: Mapping[str, Any]) -> WikiFile | None:
    """Return the file of one page of a ``prop=info|imageinfo`` reply, None if it has none."""
    infos = page.get("imageinfo")
    info = infos[0] if isinstance(infos, list) and infos else None
    page_id = parse_int(page.get("pageid"))
    if not isinstance(info, dict) or not page_id or not info.get("sha1"):
        return None
    return WikiFile(
        title=str(page.get("title", "")),
        page_id=page_id,
        sha1=str(info["sha1"]).lower(),
        url=str(info.get("url", "")),
        description_url=str(info.get("descriptionurl", "")),
        revision_id=parse_int(page.get("lastrevid")),
    )
