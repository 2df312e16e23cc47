"""Pages of the community: the directory, one's profile, the request board, finding helpers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.community import selectors, services
from hub.community.forms import AnswerForm, AskForm, DirectoryFilterForm, OfferForm, ProfileForm
from hub.community.models import Profile
from hub.core.forms import apply_errors
from hub.core.permissions import acting_user
from hub.helpdesk import selectors as helpdesk_selectors
from hub.helpdesk.permissions import helpdesk_view, login_view

PAGE_SIZE = 50


@login_view
def directory(request: HttpRequest) -> HttpResponse:
    """List people's profiles, filtered by skill, region, language and mentor availability."""
    filters = selectors.DirectoryFilters.from_params(request.GET)
    page = Paginator(selectors.directory(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/directory.html",
        {
            "page": page,
            "form": DirectoryFilterForm(request.GET or None),
            "query": query.urlencode(),
            "has_profile": Profile.objects.filter(user=acting_user(request)).exists(),
        },
    )


@login_view
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one person's profile."""
    return render(
        request, "community/profile_detail.html", {"profile": selectors.get_listed_profile(pk)}
    )


@login_view
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Create or change my own profile."""
    user = acting_user(request)
    profile = Profile.objects.filter(user=user).first()
    initial = {"listed": True, "availability": "unavailable"}
    if profile is not None:
        initial = {
            "affiliate": profile.affiliate_id,
            "region": profile.region,
            "languages": profile.languages,
            "skills": profile.skill_list,
            "availability": profile.availability,
            "about": profile.about,
            "listed": profile.listed,
        }
    form = ProfileForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(actor=user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("community:directory")
    return render(
        request,
        "community/profile_form.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


@login_view
def request_board(request: HttpRequest) -> HttpResponse:
    """List approved requests that look for helpers."""
    page = Paginator(selectors.request_board(acting_user(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "community/request_board.html", {"page": page})


@login_view
def offer_help(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer to help with an approved request."""
    help_request = selectors.get_open_request(pk)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_help(
                actor=acting_user(request),
                request=help_request,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you! The helpdesk will get in touch."))
            return redirect("community:request_board")
    return render(
        request,
        "community/offer_help.html",
        {"help_request": help_request, "form": form},
        status=400 if form.errors else 200,
    )


@helpdesk_view
def find_helper(request: HttpRequest, pk: int) -> HttpResponse:
    """Rank people for a request by skill, language, region and availability."""
    help_request = helpdesk_selectors.get_request(pk)
    return render(
        request,
        "community/find_helper.html",
        {
            "help_request": help_request,
            "matches": selectors.find_helpers(help_request),
            "invitations": selectors.invitations_for(help_request),
        },
    )


@helpdesk_view
@require_POST
def ask_helper(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask one of the people found to help with the request; they are notified."""
    help_request = helpdesk_selectors.get_request(pk)
    form = AskForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("community:find_helper", pk=pk)
    helper = form.cleaned_data["helper"]
    try:
        services.ask_to_help(actor=acting_user(request), request=help_request, helper=helper)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s was asked to help and will see it in their notifications.")
            % {"name": helper.get_full_name() or helper.username},
        )
    return redirect("community:find_helper", pk=pk)


@login_view
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the person what they were asked to help with; they accept or decline."""
    user = acting_user(request)
    asked = selectors.get_own_invitation(user, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        services.answer_invitation(actor=user, invitation=asked, accept=accept)
        messages.success(
            request,
            _("Thank you: you accepted. The helpdesk will get in touch.")
            if accept
            else _("Thank you for answering: you declined."),
        )
        return redirect("community:invitation", pk=pk)
    return render(
        request,
        "community/invitation.html",
        {"invitation": asked, "help_request": asked.request, "form": form},
        status=400 if form.errors else 200,
    )
