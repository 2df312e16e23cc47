"""Pages for matching organisations with Wikidata items: thin views over hub.partners.wikidata."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.permissions import acting_user, affiliate_view
from hub.partners import selectors, wikidata, wikidata_runs
from hub.partners.models import WikidataCandidate


@affiliate_view(edit=True)
@require_POST
def wikidata_find(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Look the organisation up on Wikidata now and list the candidates on its page."""
    org = selectors.get_organisation(affiliate, pk)
    try:
        count = wikidata.find_candidates(organisation=org)
    except wikidata.MatchingError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(request, _("Wikidata candidates found: review them below."))
        else:
            messages.info(request, _("Wikidata has no item that looks like this organisation."))
    return redirect("partners:organisation_detail", slug=affiliate.slug, pk=org.pk)


@affiliate_view(edit=True)
@require_POST
def wikidata_decide(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Accept or reject one of the organisation's Wikidata candidates."""
    org = selectors.get_organisation(affiliate, pk)
    candidate_id = text_param(request.POST, "candidate", 20)
    candidate = (
        WikidataCandidate.objects.filter(organisation=org, pk=candidate_id).first()
        if candidate_id.isdigit()
        else None
    )
    if candidate is None:
        raise Http404
    actor = acting_user(request)
    if request.POST.get("decision") == "accept":
        try:
            row = wikidata.accept(actor=actor, candidate=candidate)
        except wikidata.MatchingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Linked to Wikidata item %(qid)s.") % {"qid": row.qid})
    else:
        wikidata.reject(actor=actor, candidate=candidate)
        messages.success(request, _("Candidate rejected; it will not be proposed again."))
    return redirect("partners:organisation_detail", slug=affiliate.slug, pk=org.pk)


@affiliate_view()
def wikidata_runs_page(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the directory-wide look-up: start it, and how far it has come."""
    run = wikidata.latest_run(affiliate)
    return render(
        request,
        "partners/wikidata_runs.html",
        {
            "run": run,
            "unmatched": wikidata.unmatched(affiliate).count(),
            "to_review": WikidataCandidate.objects.filter(
                affiliate=affiliate, status=WikidataCandidate.Status.PROPOSED
            )
            .values("organisation")
            .distinct()
            .count(),
        },
    )


@affiliate_view(edit=True)
@require_POST
def wikidata_run_start(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Start the look-up over every organisation without an item."""
    wikidata_runs.start_run(actor=acting_user(request), affiliate=affiliate)
    messages.success(request, _("Looking up the directory on Wikidata. This page shows progress."))
    return redirect("partners:wikidata_runs", slug=affiliate.slug)
