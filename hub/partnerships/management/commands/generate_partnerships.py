"""Generate synthetic partnerships with activities, contributions and tasks for benchmarks."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from hub.core import audit
from hub.core.models import Affiliate, Membership, User
from hub.partners.models import Organisation
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    ChecklistPoint,
    Contribution,
    Partnership,
    PartnershipPartner,
    Stage,
    StageChange,
    Task,
)

BATCH = 2_000
WORDS = (
    "Open collections",
    "Women in science",
    "Language recordings",
    "Monuments",
    "Archive digitisation",
    "Photo contest",
    "Public domain day",
    "Library data",
    "Museum residency",
    "Student edit-a-thons",
)
CURRENCIES = ("EUR", "EUR", "EUR", "SEK", "USD", "INR")


class Command(BaseCommand):
    help = (
        "Add N synthetic partnerships (with partners, checklists, stage history, activities, "
        "contributions and tasks) to an affiliate whose organisations generate_demo made."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--affiliate", default="generated")
        parser.add_argument("--partnerships", type=int, default=10_000)
        parser.add_argument("--activities", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            affiliate = Affiliate.objects.get(slug=options["affiliate"])
        except Affiliate.DoesNotExist as error:
            raise CommandError(
                f"No affiliate {options['affiliate']!r}: run generate_demo first."
            ) from error
        org_ids = list(
            Organisation.objects.filter(affiliate=affiliate).values_list("pk", flat=True)
        )
        if len(org_ids) < 3:
            raise CommandError("The affiliate needs at least 3 organisations.")
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        with transaction.atomic():
            users = self._people(affiliate)
            ids = self._partnerships(affiliate, options["partnerships"], org_ids, users, rng)
            self._activities(ids, options["activities"], rng)
            # A quarter of the partners say when their budget year starts.
            Organisation.objects.filter(pk__in=org_ids[::4]).update(fiscal_year_starts=1)
            # The rows bypass the services: one event says so in the history and moves the
            # affiliate's audit stamp, which keys its cached dashboard.
            audit.record(
                actor=None,
                affiliate=affiliate,
                action="partnerships.generated",
                target=affiliate,
                changes={"partnerships": [None, len(ids)]},
            )
        self.stdout.write(
            f"{len(ids):,} partnerships and {options['activities']:,} activities in "
            f"{time.perf_counter() - started:.1f} s"
        )

    def _people(self, affiliate: Affiliate) -> list[User]:
        users = []
        for n in range(5):
            user, _created = User.objects.get_or_create(
                username=f"coordinator{n}", defaults={"email": f"coordinator{n}@example.org"}
            )
            Membership.objects.get_or_create(
                user=user, affiliate=affiliate, defaults={"role": "member"}
            )
            users.append(user)
        return users

    def _partnerships(
        self,
        affiliate: Affiliate,
        count: int,
        org_ids: list[int],
        users: list[User],
        rng: random.Random,
    ) -> list[int]:
        today = timezone.localdate()
        stages = list(Stage.values)
        now = timezone.now()
        rows = []
        for n in range(count):
            start = today - dt.timedelta(days=rng.randint(0, 6 * 365))
            stage = rng.choice(stages)
            rows.append(
                Partnership(
                    affiliate=affiliate,
                    title=f"{rng.choice(WORDS)} {n + 1}",
                    summary="Generated for the benchmark.",
                    goal_funding=rng.random() < 0.3,
                    goal_content=rng.random() < 0.8,
                    goal_advocacy=rng.random() < 0.4,
                    gives_content=rng.random() < 0.6,
                    gives_contributors=rng.random() < 0.4,
                    gives_knowledge=rng.random() < 0.4,
                    gives_capacity=rng.random() < 0.2,
                    gives_support=rng.random() < 0.3,
                    gives_awareness=rng.random() < 0.3,
                    stage=stage,
                    stage_changed_at=now,
                    start_date=start,
                    end_date=start + dt.timedelta(days=rng.randint(30, 900))
                    if stage == Stage.ENDED
                    else None,
                    visibility=rng.choice(["private", "published"]),
                    agreement_signed_on=start if rng.random() < 0.5 else None,
                    agreement_expires_on=today + dt.timedelta(days=rng.randint(-30, 400))
                    if rng.random() < 0.5
                    else None,
                    impact_report_every_months=rng.choice([None, 3, 6, 12]),
                    created_by=users[0],
                )
            )
        Partnership.objects.bulk_create(rows, batch_size=BATCH)
        ids = list(
            Partnership.objects.filter(affiliate=affiliate)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        partners, points, changes = [], [], []
        responsible = Partnership.responsible.through
        people = []
        for pk in ids:
            chosen = rng.sample(org_ids, rng.choice([1, 1, 2, 3]))
            for i, org in enumerate(chosen):
                role = "main" if i == 0 else rng.choice(["co_partner", "funder", "venue_host"])
                partners.append(
                    PartnershipPartner(partnership_id=pk, organisation_id=org, role=role)
                )
            for point in ChecklistPoint.values:
                points.append(
                    AgreementPoint(
                        partnership_id=pk,
                        point=point,
                        status=rng.choice(["not_discussed", "agreed", "agreed", "not_applicable"]),
                    )
                )
            changes.append(StageChange(partnership_id=pk, from_stage="", to_stage="idea"))
            people.append(responsible(partnership_id=pk, user_id=rng.choice(users).pk))
        PartnershipPartner.objects.bulk_create(partners, batch_size=BATCH)
        AgreementPoint.objects.bulk_create(points, batch_size=BATCH)
        StageChange.objects.bulk_create(changes, batch_size=BATCH)
        responsible.objects.bulk_create(people, batch_size=BATCH)
        tasks, money = [], []
        for pk in ids:
            tasks.append(
                Task(
                    affiliate=affiliate,
                    partnership_id=pk,
                    title="Send the report",
                    assignee=rng.choice(users),
                    due_on=today + dt.timedelta(days=rng.randint(-20, 60)),
                )
            )
            for _ in range(rng.choice([0, 1, 2, 3])):
                kind = rng.choice(["financial", "in_kind"])
                money.append(
                    Contribution(
                        partnership_id=pk,
                        kind=kind,
                        in_kind_type=rng.choice(["venue", "catering", "staff_time"])
                        if kind == "in_kind"
                        else "",
                        received_on=today - dt.timedelta(days=rng.randint(0, 1500)),
                        amount=Decimal(rng.randint(50, 20_000)),
                        currency=rng.choice(CURRENCIES),
                    )
                )
        Task.objects.bulk_create(tasks, batch_size=BATCH)
        Contribution.objects.bulk_create(money, batch_size=BATCH)
        return ids

    def _activities(self, ids: list[int], count: int, rng: random.Random) -> None:
        kinds = list(Activity.Kind.values)
        today = timezone.localdate()
        batch: list[Activity] = []
        for n in range(count):
            batch.append(
                Activity(
                    partnership_id=ids[n % len(ids)],
                    kind=rng.choice(kinds),
                    title=f"Activity {n + 1}",
                    starts_on=today - dt.timedelta(days=rng.randint(0, 2000)),
                    participants=rng.randint(3, 60),
                    articles_created=rng.randint(0, 30),
                    articles_improved=rng.randint(0, 60),
                    files_uploaded=rng.randint(0, 500),
                )
            )
            if len(batch) >= BATCH:
                Activity.objects.bulk_create(batch)
                batch = []
        Activity.objects.bulk_create(batch)
