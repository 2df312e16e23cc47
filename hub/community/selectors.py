"""Reads for the community: the directory, the request board, and finding a helper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from hub.community.models import Availability, HelpInvitation, HelpOffer, Profile
from hub.core.models import User
from hub.core.params import text_param
from hub.core.regions import Region
from hub.helpdesk.models import HelpRequest
from hub.helpdesk.skills import SKILL_VALUES, Skill, skill_filter, split_languages

# Weights of "find a helper": a matching skill counts most, then a shared language, then
# the region; somebody with time to mentor comes before somebody with a little.
SKILL_POINTS = 3
LANGUAGE_POINTS = 2
REGION_POINTS = 2
GLOBAL_REGION_POINTS = 1
AVAILABILITY_POINTS = {Availability.AVAILABLE: 2, Availability.LIMITED: 1}


@dataclass(frozen=True)
class DirectoryFilters:
    """What a person asked of the directory; empty means "any"."""

    q: str = ""
    skill: str = ""
    region: str = ""
    language: str = ""
    mentors_only: bool = False

    @classmethod
    def from_params(cls, params: Any) -> DirectoryFilters:
        """Return filters from a query string, ignoring values that make no sense."""
        skill = text_param(params, "skill", 30)
        region = text_param(params, "region", 10)
        return cls(
            q=text_param(params, "q", 100),
            skill=skill if skill in SKILL_VALUES else "",
            region=region if region in Region.values else "",
            language=text_param(params, "language", 60),
            mentors_only=params.get("mentors") in ("1", "on"),
        )


def directory(filters: DirectoryFilters) -> QuerySet[Profile]:
    """Return listed profiles of active people matching the filters."""
    qs = Profile.objects.filter(listed=True, user__is_active=True).select_related(
        "user", "affiliate"
    )
    if filters.q:
        qs = qs.filter(
            Q(user__username__icontains=filters.q)
            | Q(user__first_name__icontains=filters.q)
            | Q(user__last_name__icontains=filters.q)
        )
    if filters.skill:
        qs = qs.filter(skills__contains=skill_filter(filters.skill))
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.language:
        qs = qs.filter(languages__icontains=filters.language)
    if filters.mentors_only:
        qs = qs.filter(availability=Availability.AVAILABLE)
    return qs.order_by("user__username")


def get_listed_profile(pk: int) -> Profile:
    """Return a listed profile, or raise 404."""
    try:
        return Profile.objects.select_related("user", "affiliate").get(
            pk=pk, listed=True, user__is_active=True
        )
    except Profile.DoesNotExist:
        raise Http404 from None


def request_board(user: User) -> QuerySet[HelpRequest]:
    """Return approved requests looking for helpers, with offer counts and my own offer."""
    return (
        HelpRequest.objects.filter(
            status__in=[HelpRequest.Status.APPROVED, HelpRequest.Status.IN_PROGRESS]
        )
        .annotate(
            offer_count=Count("offers", distinct=True),
            offered=Exists(HelpOffer.objects.filter(request=OuterRef("pk"), user=user)),
        )
        .order_by("priority", "-decided_at", "id")
    )


def get_open_request(pk: int) -> HelpRequest:
    """Return a request that is looking for helpers, or raise 404 (others are not public)."""
    try:
        return HelpRequest.objects.get(
            pk=pk, status__in=[HelpRequest.Status.APPROVED, HelpRequest.Status.IN_PROGRESS]
        )
    except HelpRequest.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class HelperMatch:
    """A person ranked for a request, with what matched."""

    profile: Profile
    score: int
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    same_region: bool
    offered: bool
    invitation: HelpInvitation | None = None

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills]


def score_helper(
    *,
    needed_skills: list[str],
    languages: list[str],
    region: str,
    profile: Profile,
) -> tuple[int, tuple[str, ...], tuple[str, ...], bool]:
    """Return (score, matched skills, matched languages, same region) of one profile."""
    skills = tuple(s for s in profile.skill_list if s in needed_skills)
    spoken = profile.language_list
    shared = tuple(lang for lang in languages if lang in spoken)
    same_region = bool(region) and profile.region == region
    score = SKILL_POINTS * len(skills) + LANGUAGE_POINTS * len(shared)
    if same_region:
        score += REGION_POINTS
    elif profile.region == Region.GLOBAL:
        score += GLOBAL_REGION_POINTS
    score += AVAILABILITY_POINTS.get(profile.availability, 0)  # type: ignore[call-overload]
    return score, skills, shared, same_region


def find_helpers(request: HelpRequest, *, limit: int = 25) -> list[HelperMatch]:
    """Rank people for a request by skill, language, region and availability.

    Only listed people with some time, and with at least one needed skill or shared language,
    are ranked; the requester never ranks for their own request.
    """
    needed = request.skill_list
    languages = split_languages(request.languages)
    if not needed and not languages:
        return []
    wanted = Q()
    for skill in needed:
        wanted |= Q(skills__contains=skill_filter(skill))
    for language in languages:
        wanted |= Q(languages__icontains=language)
    candidates = (
        Profile.objects.filter(wanted, listed=True, user__is_active=True)
        .exclude(availability=Availability.UNAVAILABLE)
        .select_related("user", "affiliate")
    )
    if request.user_id:
        candidates = candidates.exclude(user_id=request.user_id)
    offered = set(HelpOffer.objects.filter(request=request).values_list("user_id", flat=True))
    invited = {i.helper_id: i for i in HelpInvitation.objects.filter(request=request)}
    matches = []
    for profile in candidates:
        score, skills, shared, same_region = score_helper(
            needed_skills=needed, languages=languages, region=request.region, profile=profile
        )
        if not skills and not shared:
            continue  # a substring of another language's name, not a shared language
        matches.append(
            HelperMatch(
                profile=profile,
                score=score,
                skills=skills,
                languages=shared,
                same_region=same_region,
                offered=profile.user_id in offered,
                invitation=invited.get(profile.user_id),
            )
        )
    matches.sort(key=lambda m: (-m.score, -len(m.skills), m.profile.user.username))
    return matches[:limit]


def invitations_for(request: HelpRequest) -> list[HelpInvitation]:
    """Return who was asked to help with the request, and their answers, newest first."""
    return list(
        HelpInvitation.objects.filter(request=request).select_related("helper", "invited_by")
    )


def get_own_invitation(user: User, pk: int) -> HelpInvitation:
    """Return an invitation sent to the person, or raise 404 (nobody else sees it)."""
    try:
        return HelpInvitation.objects.select_related("request", "invited_by").get(
            pk=pk, helper=user
        )
    except HelpInvitation.DoesNotExist:
        raise Http404 from None
