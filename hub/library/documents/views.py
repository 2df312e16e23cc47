"""The page that generates a document from a partnership: preview, then keep as a version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view
from hub.library.documents import context, services, templates
from hub.library.documents.forms import GenerateForm
from hub.partnerships import selectors as partnership_selectors


@affiliate_view()
def generate(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show the form and a preview (GET); generate and keep the document (POST, editors)."""
    partnership = partnership_selectors.get_partnership(affiliate, pk)
    membership = getattr(request, "membership", None)
    posted = request.method == "POST"
    if posted and not (membership is not None and membership.can_edit):
        raise PermissionDenied
    data = request.POST if posted else (request.GET if "kind" in request.GET else None)
    form = GenerateForm(
        data, affiliate=affiliate, initial={"language": (get_language() or "en")[:2]}
    )
    preview = None
    if form.is_valid():
        user = acting_user(request)
        try:
            source = templates.choose(
                affiliate,
                form.cleaned_data["kind"],
                form.cleaned_data["language"],
                form.cleaned_data["template"] or None,
            )
            if posted:
                kept = services.generate_document(
                    actor=user,
                    partnership=partnership,
                    source=source,
                    language=form.cleaned_data["language"],
                )
                messages.success(
                    request,
                    _("Version %(n)s kept with the partnership's documents (ODT, DOCX and PDF).")
                    % {"n": kept[0].version},
                )
                return redirect(
                    reverse(
                        "partnerships:partnership_detail",
                        kwargs={"slug": affiliate.slug, "pk": partnership.pk},
                    )
                    + "#documents"
                )
            preview = services.draft(
                actor=user,
                partnership=partnership,
                source=source,
                language=form.cleaned_data["language"],
            )
        except LookupError as error:
            form.add_error("template", str(error))
        except ValidationError as error:
            form.add_error("template", error)
    return render(
        request,
        "library/documents/generate.html",
        {
            "partnership": partnership,
            "form": form,
            "preview": preview,
            "placeholders": context.PLACEHOLDERS,
            "examples": context.EXAMPLES,
        },
        status=400 if posted else 200,
    )
