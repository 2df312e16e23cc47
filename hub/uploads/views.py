"""Batch upload pages: thin, every batch fetched through the affiliate it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from hub.core.exports import write_csv
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, get_for_affiliate_or_404
from hub.partnerships.models import Partnership
from hub.uploads import credentials, selectors, services
from hub.uploads.forms import (
    AccountForm,
    BatchForm,
    FilesForm,
    MappingForm,
    SheetForm,
    TemplateForm,
)
from hub.uploads.models import UploadBatch, UploadRow
from hub.uploads.pattypan import TemplateError
from hub.uploads.rows import row_text, title_for
from hub.uploads.wikitext import BUILT_IN
from hub.wikimedia.errors import WikiError

ROWS_PER_PAGE = 100


def _batch(affiliate: Affiliate, pk: int) -> UploadBatch:
    return get_for_affiliate_or_404(
        UploadBatch.objects.select_related("partnership"), affiliate, pk
    )


def _to_batch(batch: UploadBatch, anchor: str = "") -> HttpResponse:
    response = redirect("uploads:batch_detail", slug=batch.affiliate.slug, pk=batch.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def streamed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let a page take large files: written to temporary files on disk as they arrive.

    The upload handlers must be set before anything reads the body, and the CSRF middleware
    reads it, so the check moves inside, after the handlers are set (Django's recipe).
    """
    protected = csrf_protect(view)

    def wrapped(
        request: HttpRequest, affiliate: Affiliate, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        request.upload_handlers = [TemporaryFileUploadHandler(request)]
        return protected(request, affiliate, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@affiliate_view(edit=True)
def batch_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Start a batch upload for the partnership."""
    partnership = get_for_affiliate_or_404(Partnership, affiliate, pk)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.create_batch(
                actor=acting_user(request),
                partnership=partnership,
                title=form.cleaned_data["title"],
                wiki_url=form.cleaned_data["wiki_url"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _to_batch(batch)
    return render(request, "uploads/batch_create.html", {"form": form, "partnership": partnership})


@affiliate_view()
def batch_detail(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show the batch: its steps, its progress and its rows (filtered)."""
    batch = _batch(affiliate, pk)
    show = request.GET.get("show", "all")
    show = show if show in selectors.ROW_FILTERS else "all"
    page = Paginator(selectors.rows_for(batch, show), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    columns = {field: header for header, field in batch.mapping.items() if field}
    page.object_list = list(page.object_list)
    for shown in page.object_list:
        # Each problem with the sheet's column it is about, so the fix is found in the sheet.
        shown.shown_problems = [  # type: ignore[attr-defined]
            {**p, "column": columns.get(p.get("field", ""), "")} for p in shown.problems
        ]
    progress = selectors.progress(batch)
    context = {
        "batch": batch,
        "progress": progress,
        "state_counts": [
            (state, label, progress.counts.get(state, 0))
            for state, label in UploadRow.State.choices
        ],
        "query": f"show={show}",
        "files": selectors.file_summary(batch),
        "unnamed": list(selectors.unnamed_files(batch)[:50]),
        "page": page,
        "show": show,
        "filters": selectors.ROW_FILTERS,
        "has_account": bool(batch.account_secret),
        "url_rows": selectors.rows_to_fetch(batch),
    }
    return render(request, "uploads/batch_detail.html", context)


@affiliate_view()
def batch_progress(request: HttpRequest, affiliate: Affiliate, pk: int) -> JsonResponse:
    """Return the batch's progress for the page's live update."""
    batch = _batch(affiliate, pk)
    data = selectors.progress(batch).as_json()
    data.update(status=batch.status, status_label=batch.get_status_display(), error=batch.error)
    return JsonResponse(data)


@csrf_exempt
@affiliate_view(edit=True)
@streamed
def batch_sheet(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Step 1: read a metadata sheet into the batch's rows."""
    batch = _batch(affiliate, pk)
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["sheet"]
        try:
            services.attach_sheet(
                actor=acting_user(request),
                batch=batch,
                path=Path(upload.temporary_file_path()),
                original_name=upload.name,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "sheet" in exc.error_dict:
                form.add_error("sheet", exc.error_dict["sheet"])
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The sheet was read. Check what each column means."))
            return redirect("uploads:batch_mapping", slug=affiliate.slug, pk=batch.pk)
    return render(request, "uploads/batch_sheet.html", {"batch": batch, "form": form})


@affiliate_view(edit=True)
def batch_mapping(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Step 1: choose what each column of the sheet means."""
    batch = _batch(affiliate, pk)
    form = MappingForm(batch.headers, batch.mapping, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_mapping(actor=acting_user(request), batch=batch, mapping=form.mapping())
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The columns' meaning was saved."))
            return _to_batch(batch, "step-files")
    examples = []
    for index in range(len(batch.headers)):
        seen = dict.fromkeys(
            str(r[index])[:60] for r in batch.sheet_rows[:200] if index < len(r) and r[index]
        )
        examples.append(list(seen)[:2])
    columns = [(h, f, ex) for (h, f), ex in zip(form.rows(), examples, strict=True)]
    return render(
        request, "uploads/batch_mapping.html", {"batch": batch, "form": form, "columns": columns}
    )


@csrf_exempt
@affiliate_view(edit=True)
@streamed
def batch_files(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Step 2: send many files or one ZIP; they are written to disk as they arrive."""
    batch = _batch(affiliate, pk)
    form = FilesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "remove" in request.POST:
        file = batch.files.filter(pk=request.POST.get("remove") or 0).first()
        if file is not None:
            try:
                services.remove_file(actor=acting_user(request), batch=batch, file=file)
            except ValidationError as exc:
                _errors(request, exc)
        return redirect("uploads:batch_files", slug=affiliate.slug, pk=batch.pk)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["upload"]
        try:
            kept = services.add_files(
                actor=acting_user(request),
                batch=batch,
                files=[(u.name, Path(u.temporary_file_path())) for u in uploads],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)s files kept.") % {"n": len(kept)})
            return _to_batch(batch, "step-files")
    context = {
        "batch": batch,
        "form": form,
        "files": batch.files.order_by("name")[:500],
        "unnamed": {f.pk for f in selectors.unnamed_files(batch)},
        "max_bytes": settings.HUB_UPLOADS_MAX_REQUEST_BYTES,
    }
    return render(request, "uploads/batch_files.html", context)


@affiliate_view(edit=True)
def batch_template(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Step 3: pick or edit the page template; preview any row's text (and HTML)."""
    batch = _batch(affiliate, pk)
    form = TemplateForm(request.POST or None, instance=batch)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_page_template(
                actor=acting_user(request),
                batch=batch,
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The page template was saved."))
            return redirect("uploads:batch_template", slug=affiliate.slug, pk=batch.pk)
    batch.refresh_from_db()
    numbers = list(batch.rows.values_list("number", flat=True)[:2000])
    wanted = request.GET.get("row", "")
    number = (
        int(wanted)
        if wanted.isdigit() and int(wanted) in numbers
        else (numbers[0] if numbers else None)
    )
    preview: dict[str, Any] = {
        "number": number,
        "text": "",
        "html": "",
        "error": "",
        "html_error": "",
    }
    if number is not None:
        row = batch.rows.select_related("file").get(number=number)
        row.title = row.title or title_for(row)
        preview["title"] = row.title
        try:
            preview["text"] = row_text(batch, row)
        except TemplateError as exc:
            preview["error"] = getattr(exc, "message", str(exc))
        except ValueError:
            preview["error"] = _(
                "The row has no licence Commons accepts: give one in the row or for the batch."
            )
        if preview["text"] and request.GET.get("html"):
            try:
                client = credentials.new_client(batch, background=False)
                preview["html"] = client.parse_wikitext(preview["text"], title=f"File:{row.title}")
            except WikiError as exc:
                preview["html_error"] = _("The wiki could not show the page (%(reason)s).") % {
                    "reason": exc.message
                }
    context = {
        "batch": batch,
        "form": form,
        "preview": preview,
        "numbers": numbers,
        "built_in": [
            (label, BUILT_IN[key]) for key, label in UploadBatch.Template.choices if key in BUILT_IN
        ],
    }
    return render(request, "uploads/batch_template.html", context)


@affiliate_view(edit=True)
def batch_account(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Step 4: enter the wiki account to upload with."""
    batch = _batch(affiliate, pk)
    form = AccountForm(
        request.POST or None, user=request.user, initial={"name": batch.account_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_account(actor=acting_user(request), batch=batch, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The account was saved, encrypted."))
            return _to_batch(batch, "step-check")
    return render(request, "uploads/batch_account.html", {"batch": batch, "form": form})


def _action(
    service: Callable[..., Any], done: str, anchor: str = "progress"
) -> Callable[..., HttpResponse]:
    @affiliate_view(edit=True)
    @require_POST
    def view(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
        batch = _batch(affiliate, pk)
        try:
            service(actor=acting_user(request), batch=batch)
        except ValidationError as exc:
            _errors(request, exc)
        except credentials.AccountMissing as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return _to_batch(batch, anchor)

    view.__doc__ = service.__doc__
    return view


batch_fetch = _action(
    services.request_fetch, _("Fetching the files in the background…"), "step-files"
)
batch_check = _action(
    services.request_check, _("Checking every row in the background…"), "step-check"
)
batch_start = _action(services.start_upload, _("Uploading in the background…"))
batch_pause = _action(services.pause_batch, _("The batch pauses after the file being sent now."))
batch_resume = _action(services.resume_batch, _("Uploading again…"))
batch_cancel = _action(services.cancel_batch, _("The batch was cancelled; nothing more is sent."))


@affiliate_view(edit=True)
@require_POST
def batch_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Delete a batch that sent nothing, with its files."""
    batch = _batch(affiliate, pk)
    partnership = batch.partnership
    try:
        services.delete_batch(actor=acting_user(request), batch=batch)
    except ValidationError as exc:
        _errors(request, exc)
        return _to_batch(batch)
    messages.success(request, _("The batch was deleted."))
    return redirect("partnerships:partnership_detail", slug=affiliate.slug, pk=partnership.pk)


@affiliate_view()
def batch_export(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download the batch's rows with titles, states and addresses (CSV, formula-safe)."""
    batch = _batch(affiliate, pk)
    headers = [_("Row"), _("Title"), _("State"), _("Outcome"), _("Address"), _("Message")]
    response = HttpResponse(
        write_csv(selectors.export_rows(batch), headers), content_type="text/csv; charset=utf-8"
    )
    filename = _("%(batch)s - rows.csv") % {"batch": batch.title}
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
