"""Load the helpdesk demo: requests named after the research, a committee, a working group.

The requests and community profiles are in hub/demo/data/helpdesk.json; this module takes
them as far as their stage through the helpdesk's and the community's services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from hub.community import services as community_services
from hub.community.models import Profile
from hub.core.models import Affiliate, User
from hub.demo.records import build, read
from hub.helpdesk import services, services_committee, services_groups
from hub.helpdesk.models import (
    AgendaItem,
    CommitteeMember,
    HelpRequest,
    Meeting,
    QuarterCapacity,
    WorkingGroup,
)

Status = HelpRequest.Status


@dataclass(frozen=True)
class DemoRequest:
    """A help request from the research's affiliates, and how far it has come."""

    key: str  # its form token: what makes loading the demo twice create nothing new
    affiliate: str
    name: str
    partner: str
    country: str
    content_kinds: tuple[str, ...]
    description: str
    justification: str
    languages: str
    size: str = ""
    timeline: str = ""
    days_ago: int = 30
    question: str = ""
    answer: str = ""
    skills: tuple[str, ...] = ()
    summary: str = ""
    stage: str = Status.NEW  # new, info_needed, ready, approved, parked


@dataclass(frozen=True)
class DemoProfile:
    """A demo login's profile in the community directory."""

    username: str
    languages: str
    skills: tuple[str, ...]
    availability: str
    about: str


_DATA = read("helpdesk.json")
REQUESTS: tuple[DemoRequest, ...] = tuple(build(DemoRequest, raw) for raw in _DATA["requests"])
PROFILES: tuple[DemoProfile, ...] = tuple(build(DemoProfile, raw) for raw in _DATA["profiles"])


@dataclass
class HelpdeskDemoSummary:
    """What one run of the helpdesk demo created."""

    requests: int = 0
    meetings: int = 0
    groups: int = 0
    profiles: int = 0
    usernames: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return any((self.requests, self.meetings, self.groups, self.profiles))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, email=f"{username}@example.org").first()


def _meeting(staff: User, title: str, held_on: dt.date, summary: HelpdeskDemoSummary) -> Meeting:
    meeting = Meeting.objects.filter(title=title).first()
    if meeting is None:
        meeting = services_committee.schedule_meeting(actor=staff, held_on=held_on, title=title)
        summary.meetings += 1
    return meeting


def _advance(
    staff: User, data: DemoRequest, request: HelpRequest, past: Meeting, next_: Meeting
) -> None:
    """Take a new demo request as far as its stage, through the services."""
    if data.question:
        services.ask_requester(actor=staff, request=request, body=data.question)
        if data.answer:
            services.reply_as_requester(request=request, body=data.answer)
    if data.skills or data.summary:
        services.update_triage(
            actor=staff, request=request, public_summary=data.summary, skills_needed=data.skills
        )
    if data.stage == Status.INFO_NEEDED or data.stage == Status.NEW:
        return
    services.change_status(actor=staff, request=request, status=Status.READY)
    services.save_checklist(
        actor=staff,
        request=request,
        points={
            "technical": ("good", ""),
            "legal": (
                "good" if data.stage != Status.PARKED else "concerns",
                "Licence confirmed in writing." if data.stage == Status.APPROVED else "",
            ),
        },
    )
    if data.stage == Status.READY:
        services_committee.add_to_agenda(actor=staff, meeting=next_, requests=[request])
        return
    services_committee.add_to_agenda(actor=staff, meeting=past, requests=[request])
    item = AgendaItem.objects.get(meeting=past, request=request)
    if data.stage == Status.APPROVED:
        services_committee.record_decision(
            actor=staff,
            item=item,
            outcome="approved",
            priority_rank=1,
            reasons="A language with almost no recordings; the partner gives room and linguists.",
        )
    else:
        services_committee.record_decision(
            actor=staff,
            item=item,
            outcome="parked",
            reasons="Worth doing, but this quarter's capacity is taken: back next quarter.",
        )


def load_helpdesk_demo(*, today: dt.date | None = None) -> HelpdeskDemoSummary:
    """Create the helpdesk demo that is missing; running it again creates nothing new.

    Needs the partners demo (its affiliates and logins) loaded first.
    """
    today = today or timezone.localdate()
    summary = HelpdeskDemoSummary()
    staff = _user("hubstaff")
    if staff is None:
        return summary
    with transaction.atomic():
        for person in PROFILES:
            user = _user(person.username)
            if user is None or Profile.objects.filter(user=user).exists():
                continue
            membership = user.memberships.select_related("affiliate").first()
            community_services.save_profile(
                actor=user,
                affiliate=membership.affiliate if membership else None,
                languages=person.languages,
                skills=person.skills,
                availability=person.availability,
                about=f"{person.about} (demo)",
            )
            summary.profiles += 1
        if not CommitteeMember.objects.filter(user=staff).exists():
            services_committee.add_committee_member(actor=staff, user=staff)
            germany = _user("germany")
            if germany is not None:
                services_committee.add_committee_member(actor=staff, user=germany)
        year, quarter = today.year, (today.month - 1) // 3 + 1
        if not QuarterCapacity.objects.filter(year=year, quarter=quarter).exists():
            services_committee.set_capacity(
                actor=staff, year=year, quarter=quarter, capacity=3, note="Three collections (demo)"
            )
        past = _meeting(
            staff, "Expert committee (demo), last month", today - dt.timedelta(days=20), summary
        )
        upcoming = _meeting(
            staff, "Expert committee (demo), next review", today + dt.timedelta(days=10), summary
        )
        for data in REQUESTS:
            if HelpRequest.objects.filter(submission_token=data.key).exists():
                continue
            affiliate = Affiliate.objects.filter(slug=data.affiliate).first()
            request, created = services.submit_request(
                actor=None,
                name=data.name,
                email=f"{data.affiliate}@example.org",
                affiliate=affiliate,
                country=data.country,
                partner=data.partner,
                content_kinds=data.content_kinds,
                approximate_size=data.size,
                description=data.description,
                justification=data.justification,
                timeline=data.timeline,
                languages=data.languages,
                consent=True,
                submission_token=data.key,
            )
            if not created:
                continue
            # Received some time ago, so the response-time figures have something to show.
            HelpRequest.objects.filter(pk=request.pk).update(
                created_at=timezone.now() - dt.timedelta(days=data.days_ago)
            )
            _advance(staff, data, request, past, upcoming)
            summary.requests += 1
        if past.brief_published_at is None and past.items.exclude(outcome="").exists():
            services_committee.publish_brief(actor=staff, meeting=past)
        approved = HelpRequest.objects.filter(
            submission_token=REQUESTS[0].key, status=Status.APPROVED
        ).first()
        if approved is not None and not WorkingGroup.objects.filter(request=approved).exists():
            lead = _user("morocco")
            group = services_groups.form_working_group(
                actor=staff,
                name="Tachelhit recordings (demo)",
                purpose="Record, describe and upload the words; train two volunteers to go on.",
                request=approved,
                lead=lead,
            )
            helper = _user("poland")
            if helper is not None:
                services_groups.add_group_member(actor=staff, group=group, user=helper)
            services_groups.add_group_task(
                actor=staff,
                group=group,
                title="Lend a recorder and a laptop",
                owner=lead,
                due_on=today + dt.timedelta(days=7),
            )
            services_groups.add_group_task(
                actor=staff,
                group=group,
                title="Prepare the metadata template",
                owner=helper,
                due_on=today + dt.timedelta(days=14),
            )
            services_groups.post_group_update(
                actor=staff,
                group=group,
                body="The group met: recording sessions start next week at the institute.",
            )
            summary.groups += 1
    return summary
