"""Import pages: upload a spreadsheet, map its columns, preview every row, confirm."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hub.core.exports import write_csv
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, get_for_affiliate_or_404
from hub.partners import imports
from hub.partners.forms_import import MappingForm, UploadForm
from hub.partners.models import ImportBatch

# A preview lists every rejected row, but only the first accepted ones: pages stay light.
PREVIEW_REJECTED_ROWS = 500
PREVIEW_ACCEPTED_ROWS = 100


def _pending_batch(affiliate: Affiliate, pk: int) -> ImportBatch:
    """Return the affiliate's pending batch, or answer 404."""
    return get_for_affiliate_or_404(ImportBatch, affiliate, pk, status=ImportBatch.Status.PENDING)


@affiliate_view(edit=True)
def import_upload(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Read an uploaded file into a pending batch and go on to its preview."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = imports.read_file(upload, upload.name)
        except imports.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            batch = imports.create_batch(
                actor=acting_user(request),
                affiliate=affiliate,
                table=table,
            )
            return redirect("partners:import_preview", slug=affiliate.slug, pk=batch.pk)
    limits = {
        "max_mb": settings.HUB_IMPORT_MAX_BYTES // (1024 * 1024),
        "max_rows": settings.HUB_IMPORT_MAX_ROWS,
        "max_columns": settings.HUB_IMPORT_MAX_COLUMNS,
    }
    return render(request, "partners/import_upload.html", {"form": form, **limits})


@affiliate_view(edit=True)
def import_preview(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show the column mapping and every row's verdict; a POST changes the mapping."""
    batch = _pending_batch(affiliate, pk)
    table = imports.table_for_batch(batch)
    form = MappingForm(
        table.headers,
        batch.mapping,
        request.POST or None,
        existing_rows=batch.existing_rows,
        invalid_rows=batch.invalid_rows,
    )
    if request.method == "POST" and form.is_valid():
        imports.set_batch_mapping(
            batch=batch,
            mapping=form.mapping(),
            existing_rows=form.existing_rows(),
            invalid_rows=form.invalid_rows(),
        )
        return redirect("partners:import_preview", slug=affiliate.slug, pk=batch.pk)
    plan = imports.plan_import(
        table=table,
        mapping=batch.mapping,
        affiliate=affiliate,
        source=imports.default_source(batch.filename),
        existing_rows=batch.existing_rows,
    )
    examples = []
    for index in range(len(table.headers)):
        values = dict.fromkeys(r.cells[index][:60] for r in table.rows[:200] if r.cells[index])
        examples.append(list(values)[:2])
    context = {
        "batch": batch,
        "form": form,
        "columns": [(h, field, ex) for (h, field), ex in zip(form.rows(), examples, strict=True)],
        "plan": plan,
        "keep_valid": batch.invalid_rows == ImportBatch.InvalidRows.VALID
        and bool(plan.accepted)
        and not plan.mapping_problems,
        "rejected": plan.rejected[:PREVIEW_REJECTED_ROWS],
        "more_rejected": max(0, len(plan.rejected) - PREVIEW_REJECTED_ROWS),
        "accepted": plan.accepted[:PREVIEW_ACCEPTED_ROWS],
        "more_accepted": max(0, len(plan.accepted) - PREVIEW_ACCEPTED_ROWS),
        "skipped_numbers": ", ".join(str(r.number) for r in plan.skipped[:PREVIEW_REJECTED_ROWS]),
        "more_skipped": max(0, len(plan.skipped) - PREVIEW_REJECTED_ROWS),
    }
    return render(request, "partners/import_preview.html", context)


@affiliate_view(edit=True)
@require_POST
def import_confirm(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Write every row of the batch, or nothing, and go to the organisation list."""
    batch = _pending_batch(affiliate, pk)
    if len(batch.rows) > settings.HUB_IMPORT_INLINE_ROWS:
        try:
            imports.queue_batch(actor=acting_user(request), batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("partners:import_status", slug=affiliate.slug, pk=batch.pk)
    try:
        counts = imports.apply_batch(actor=acting_user(request), batch=batch)
    except imports.ImportRejected:
        messages.error(
            request,
            _("Some rows cannot be imported, so nothing was written. See the problems below."),
        )
        return redirect("partners:import_preview", slug=affiliate.slug, pk=batch.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partners:import_upload", slug=affiliate.slug)
    if counts.rejected:
        return redirect("partners:import_status", slug=affiliate.slug, pk=batch.pk)
    skipped = ""
    if counts.skipped:
        skipped = " " + ngettext(
            "%(n)s row already in your directory was skipped.",
            "%(n)s rows already in your directory were skipped.",
            counts.skipped,
        ) % {"n": counts.skipped}
    if not counts.rows:
        messages.info(request, _("Nothing new was imported.") + skipped)
        return redirect("partners:organisation_list", slug=affiliate.slug)
    messages.success(
        request,
        ngettext("Imported %(rows)s row: ", "Imported %(rows)s rows: ", counts.rows)
        % {"rows": counts.rows}
        + ngettext("%(n)s new organisation", "%(n)s new organisations", counts.organisations)
        % {"n": counts.organisations}
        + ", "
        + ngettext("%(n)s new contact.", "%(n)s new contacts.", counts.contacts)
        % {"n": counts.contacts}
        + skipped,
    )
    return redirect("partners:organisation_list", slug=affiliate.slug)


@affiliate_view(edit=True)
def import_status(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Follow an import running in the background; the page refreshes itself until it is done."""
    batch = imports.settle_batch(batch=get_for_affiliate_or_404(ImportBatch, affiliate, pk))
    if batch.status == ImportBatch.Status.PENDING:
        if batch.result.get("error"):
            messages.error(request, batch.result["error"])
        return redirect("partners:import_preview", slug=affiliate.slug, pk=batch.pk)
    return render(
        request, "partners/import_status.html", {"batch": batch, "row_count": len(batch.rows)}
    )


@affiliate_view(edit=True)
@require_POST
def import_discard(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Forget a pending or failed batch and the rows it kept."""
    batch = get_for_affiliate_or_404(ImportBatch, affiliate, pk)
    imports.discard_batch(batch=imports.settle_batch(batch=batch))
    messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("partners:import_upload", slug=affiliate.slug)


@affiliate_view(edit=True)
def import_rejected(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download the rows an import left out, as in the file, with why each was left out."""
    batch = get_for_affiliate_or_404(ImportBatch, affiliate, pk, status=ImportBatch.Status.APPLIED)
    if not batch.rows:
        raise Http404
    body = write_csv(imports.rejected_rows_table(batch), imports.rejected_rows_headers(batch))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stem = batch.filename.rsplit(".", 1)[0]
    filename = _("%(file)s - rejected rows.csv") % {"file": stem}
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
