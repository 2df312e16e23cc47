"""Every change to impact data: content links, refresh runs and partner share links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.core.queue import enqueue_on_commit
from hub.impact import names
from hub.impact.models import ContentLink, Metric, RefreshRun, ShareLink, Source
from hub.impact.refresh import store_points
from hub.impact.sources import (
    ImpactSource,
    SourceError,
    SourceNotFound,
    SourceRefused,
    get_source,
)
from hub.impact.tasks import refresh_link
from hub.impact.totals import rebuild_totals
from hub.partners.models import Organisation
from hub.partnerships.models import Partnership

SHARE_SALT = "hub.impact.share"
LIST_KINDS = {
    ContentLink.Kind.COMMONS_FILES,
    ContentLink.Kind.WIKIDATA_ITEMS,
    ContentLink.Kind.ARTICLES,
}


@dataclass(frozen=True)
class LinkCheck:
    """What the wiki said about a link when it was added."""

    status: str
    reason: str
    size: int | None


def _default_wiki(kind: str) -> str:
    """Return the wiki a kind of link points at unless the person gave another."""
    if kind in (ContentLink.Kind.WIKIDATA_COLLECTION, ContentLink.Kind.WIKIDATA_ITEMS):
        return str(settings.HUB_IMPACT_WIKIDATA_URL)
    if kind == ContentLink.Kind.ARTICLES:
        return ""
    return str(settings.HUB_IMPACT_COMMONS_URL)


def _clean_link_fields(
    *, kind: str, wiki_url: str, target: str, items_text: str, depth: int
) -> tuple[str, str, list[str]]:
    """Return the normalised wiki address, target and items; raise ValidationError by field."""
    limit = settings.HUB_IMPACT_MAX_LIST_ITEMS
    errors: dict[str, Any] = {}
    if kind not in ContentLink.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of content this is.")})
    if not 0 <= depth <= 5:
        errors["depth"] = _("The depth goes from 0 (the category only) to 5.")
    clean_target, items = "", []
    try:
        wiki = names.normalise_wiki_url(wiki_url or _default_wiki(kind))
    except ValidationError as exc:
        errors["wiki_url"] = exc.messages
        wiki = ""
    if not (wiki_url or _default_wiki(kind)):
        errors["wiki_url"] = _("Give the address of the Wikipedia, e.g. https://sv.wikipedia.org.")
    try:
        if kind == ContentLink.Kind.COMMONS_CATEGORY:
            clean_target = names.normalise_title(target, namespace="category")
        elif kind == ContentLink.Kind.WIKIDATA_COLLECTION:
            clean_target = names.normalise_item(target)
        elif kind == ContentLink.Kind.COMMONS_FILES:
            files = names.normalise_lines(items_text, namespace="file", limit=limit)
            items = [f"File:{name}" for name in files]
        elif kind == ContentLink.Kind.WIKIDATA_ITEMS:
            items = names.normalise_items(items_text, limit=limit)
        else:
            items = names.normalise_lines(items_text, limit=limit)
    except ValidationError as exc:
        errors["items" if kind in LIST_KINDS else "target"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return wiki, clean_target, items


def check_link(
    source: ImpactSource, *, kind: str, wiki_url: str, target: str, items: list[str]
) -> LinkCheck:
    """Ask the wiki whether the content exists and how big it is; raise for what cannot be.

    Raise ValidationError when the wiki says no (no such category or item, not a wiki, a
    private address). When the wiki cannot be reached, return an *unverified* check instead.
    """
    try:
        source.check_wiki(wiki_url)
        if kind == ContentLink.Kind.COMMONS_CATEGORY:
            info = source.category_info(wiki_url, target)
            return LinkCheck(ContentLink.Status.VERIFIED, "", info.files)
        if kind == ContentLink.Kind.WIKIDATA_COLLECTION:
            found = source.entities([target])
            if not found.get(target) or not found[target].exists:
                raise SourceNotFound(target)
            members = source.collection_items(target, settings.HUB_IMPACT_MAX_LIST_ITEMS * 20)
            return LinkCheck(ContentLink.Status.VERIFIED, "", len(members))
        if kind == ContentLink.Kind.WIKIDATA_ITEMS:
            entities = source.entities(items)
            missing = [q for q in items if not (entities.get(q) and entities[q].exists)]
        else:
            missing = source.missing_pages(wiki_url, items)
        if missing:
            raise ValidationError(
                {
                    "items": _("These do not exist on the wiki: %(names)s.")
                    % {"names": ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")}
                }
            )
        return LinkCheck(ContentLink.Status.VERIFIED, "", len(items))
    except SourceRefused as exc:
        raise ValidationError(
            {"wiki_url": _("This address cannot be used: %(reason)s") % {"reason": exc.message}}
        ) from exc
    except SourceNotFound as exc:
        if kind == ContentLink.Kind.COMMONS_CATEGORY:
            message = _("There is no category “%(name)s” on this wiki. Check its spelling.")
        else:
            message = _("There is no Wikidata item %(name)s. Check the number.")
        raise ValidationError({"target": message % {"name": target}}) from exc
    except SourceError as exc:
        reason = _("The wiki could not be reached to check this (%(reason)s).") % {
            "reason": exc.message
        }
        return LinkCheck(ContentLink.Status.UNVERIFIED, reason[:500], None)


def add_content_link(
    *,
    actor: User | None,
    partnership: Partnership,
    kind: str,
    wiki_url: str = "",
    target: str = "",
    items_text: str = "",
    depth: int = 0,
    source: ImpactSource | None = None,
) -> ContentLink:
    """Check a content link against its wiki and save it (unverified if the wiki is down).

    The wiki is asked before the transaction opens, so no lock is held while it answers.
    """
    wiki, clean_target, items = _clean_link_fields(
        kind=kind, wiki_url=wiki_url, target=target, items_text=items_text, depth=depth
    )
    if kind == ContentLink.Kind.WIKIDATA_COLLECTION and not clean_target:
        raise ValidationError({"target": _("Give the partner's Wikidata item.")})
    check = check_link(
        source or get_source(background=False),
        kind=kind,
        wiki_url=wiki,
        target=clean_target,
        items=items,
    )
    with transaction.atomic():
        return _save_link(
            actor=actor,
            partnership=partnership,
            kind=kind,
            fields=(wiki, clean_target, items),
            depth=depth,
            check=check,
        )


def _save_link(
    *,
    actor: User | None,
    partnership: Partnership,
    kind: str,
    fields: tuple[str, str, list[str]],
    depth: int,
    check: LinkCheck,
) -> ContentLink:
    """Save a cleaned and checked content link and audit it; call inside a transaction."""
    wiki, target, items = fields
    link = ContentLink.objects.create(
        affiliate=partnership.affiliate,
        partnership=partnership,
        kind=kind,
        wiki_url=wiki,
        target=target,
        items=items,
        depth=depth if kind == ContentLink.Kind.COMMONS_CATEGORY else 0,
        status=check.status,
        status_reason=check.reason,
        size_seen=check.size,
        validated_at=timezone.now() if check.status == ContentLink.Status.VERIFIED else None,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="impact.link_added",
        target=partnership,
        changes={"content_link": [None, str(link)], "status": [None, link.status]},
    )
    return link


def add_demo_link(
    *,
    actor: User | None,
    partnership: Partnership,
    kind: str,
    wiki_url: str = "",
    target: str = "",
    items_text: str = "",
    depth: int = 0,
    points: list[dict[str, Any]],
    now: dt.datetime | None = None,
) -> ContentLink:
    """Add a demo affiliate's content link with made-up figures, as if refreshed ``now``.

    Nothing asks the wiki. Every point is stored with the source "Demo figures", so the
    reports say the figures are demo; ``points`` are a refresh's points (hub.impact.refresh):
    metric, month ("YYYY-MM", or None for this month), value, and optionally method and
    detail. Links of demo affiliates are left out of the scheduled refresh.
    """
    if not partnership.affiliate.is_demo:
        raise ValidationError(_("Demo figures go only to demo affiliates."))
    wiki, clean_target, items = _clean_link_fields(
        kind=kind, wiki_url=wiki_url, target=target, items_text=items_text, depth=depth
    )
    files = [p["value"] for p in points if p["metric"] == Metric.FILES]
    size = len(items) if items else (files[-1] if files else None)
    check = LinkCheck(ContentLink.Status.VERIFIED, "", size)
    method = _("made up for the demo, not measured on the wikis")
    stored = [{"detail": {}, "method": method, **p, "source": Source.DEMO} for p in points]
    with transaction.atomic():
        link = _save_link(
            actor=actor,
            partnership=partnership,
            kind=kind,
            fields=(wiki, clean_target, items),
            depth=depth,
            check=check,
        )
        written = store_points(link, stored, now or timezone.now())
        audit.record(
            actor=actor,
            affiliate=partnership.affiliate,
            action="impact.demo_figures",
            target=partnership,
            changes={"content_link": [None, str(link)], "points": [None, written]},
        )
    return link


@transaction.atomic
def remove_content_link(*, actor: User | None, link: ContentLink) -> None:
    """Remove a content link with its figures and runs."""
    partnership = link.partnership
    shown = str(link)
    link.delete()
    rebuild_totals(partnership.affiliate_id, partnership.pk)
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="impact.link_removed",
        target=partnership,
        changes={"content_link": [shown, None]},
    )


def request_refresh(
    *, actor: User | None, link: ContentLink, trigger: str = RefreshRun.Trigger.MANUAL
) -> RefreshRun:
    """Queue a refresh of a link's figures; a link already refreshing returns its current run.

    Raise ValidationError for a link of demo figures: the demo never fetches from the wikis.
    """
    if link.has_demo_figures:
        raise ValidationError(_("These are demo figures; they are never fetched from the wikis."))
    active = link.runs.filter(status__in=[RefreshRun.Status.QUEUED, RefreshRun.Status.RUNNING])
    existing = active.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = RefreshRun.objects.create(link=link, trigger=trigger, requested_by=actor)
            audit.record(
                actor=actor,
                affiliate=link.affiliate,
                action="impact.refresh_requested",
                target=link.partnership,
                changes={"content_link": [None, str(link)]},
            )
            enqueue_on_commit(refresh_link, run.pk)
    except IntegrityError:
        # Another request queued one a moment ago (one active run per link).
        return active.get()
    return run


def queue_due_refreshes(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queue a refresh of every link not refreshed lately; return how many were queued.

    Demo affiliates' links are left out: their figures are made up, and the demo never waits
    on the network.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.HUB_IMPACT_REFRESH_DAYS)
    due = (
        ContentLink.objects.filter(
            Q(last_refreshed_at__isnull=True) | Q(last_refreshed_at__lt=cutoff)
        )
        # Demo affiliates' figures are made up (add_demo_link): never fetched from the wikis.
        .exclude(affiliate__is_demo=True)
        .exclude(runs__status__in=[RefreshRun.Status.QUEUED, RefreshRun.Status.RUNNING])
        .select_related("partnership", "affiliate")
        .order_by("last_refreshed_at", "id")[:limit]
    )
    count = 0
    for link in due:
        request_refresh(actor=None, link=link, trigger=RefreshRun.Trigger.SCHEDULE)
        count += 1
    return count


def create_share_link(
    *,
    actor: User | None,
    partnership: Partnership | None = None,
    organisation: Organisation | None = None,
    days: int | None = None,
) -> tuple[ShareLink, str]:
    """Create a read-only link to an impact report for a partner; return it and its token."""
    if (partnership is None) == (organisation is None):
        raise ValidationError(_("A report link is for one partnership or one partner."))
    days = settings.HUB_IMPACT_SHARE_DAYS if days is None else days
    if not 1 <= days <= 366:
        raise ValidationError(_("A report link lasts from 1 to 366 days."))
    scope: Partnership | Organisation = partnership or organisation  # type: ignore[assignment]
    with transaction.atomic():
        share = ShareLink.objects.create(
            affiliate=scope.affiliate,
            partnership=partnership,
            organisation=organisation,
            expires_at=timezone.now() + dt.timedelta(days=days),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            affiliate=scope.affiliate,
            action="impact.share_created",
            target=scope,
            changes={"expires_at": [None, share.expires_at.isoformat()]},
        )
    return share, share_token(share)


def share_token(share: ShareLink) -> str:
    """Return the signed token of a share link (the id, signed with the site's secret)."""
    return signing.dumps({"share": share.pk}, salt=SHARE_SALT, compress=True)


@transaction.atomic
def revoke_share_link(*, actor: User | None, share: ShareLink) -> ShareLink:
    """Stop a share link from working, at once and for good."""
    locked = ShareLink.objects.select_for_update().get(pk=share.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        scope: Any = locked.partnership or locked.organisation
        audit.record(
            actor=actor,
            affiliate=locked.affiliate,
            action="impact.share_revoked",
            target=scope,
            changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
        )
    return locked


class ShareRefused(Exception):
    """A share link that cannot be opened; ``reason`` says why in words for the partner."""

    def __init__(self, reason: str, *, gone: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone


def open_share_link(token: str, *, now: dt.datetime | None = None) -> ShareLink:
    """Return the share link of a token; raise ShareRefused if forged, expired or revoked."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=SHARE_SALT)
        pk = int(data["share"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ShareRefused(
            _("This link is not valid. Check that it was copied whole."), gone=False
        ) from None
    share = (
        ShareLink.objects.select_related("affiliate", "partnership", "organisation")
        .filter(pk=pk)
        .first()
    )
    if share is None:
        raise ShareRefused(_("This link is not valid. Check that it was copied whole."), gone=False)
    if share.revoked_at is not None:
        raise ShareRefused(
            _("This link was withdrawn. Ask %(affiliate)s for a new one.")
            % {"affiliate": share.affiliate.name},
            gone=True,
        )
    if share.expires_at <= now:
        raise ShareRefused(
            _("This link expired on %(date)s. Ask %(affiliate)s for a new one.")
            % {"date": share.expires_at.date().isoformat(), "affiliate": share.affiliate.name},
            gone=True,
        )
    return share


def link_published_content(
    *,
    partnership: Partnership,
    actor: User | None,
    wiki_url: str,
    category: str = "",
    files: list[str] | tuple[str, ...] = (),
) -> ContentLink | None:
    """Link content a partnership just put on a wiki (a finished batch upload) to its impact.

    The content's category when it has one (a batch's tracking category), else its list of
    files; a link already there is kept (a list gains the new files). Nothing asks the wiki:
    the content is there, the uploader just put it there. The figures follow with a refresh,
    queued at once. Called inside the uploader's transaction (hub.partnerships.slots
    CONTENT_PUBLISHED).
    """
    wiki = names.normalise_wiki_url(wiki_url.split("/w/api.php")[0].split("/api.php")[0])
    if category:
        kind, target, items = ContentLink.Kind.COMMONS_CATEGORY, category, []
        target = names.normalise_title(category, namespace="category")
    elif files:
        kind, target = ContentLink.Kind.COMMONS_FILES, ""
        lines = names.normalise_lines("\n".join(files), namespace="file", limit=len(files) + 1)
        items = [f"File:{n}" for n in lines]
    else:
        return None
    link = ContentLink.objects.filter(
        partnership=partnership, kind=kind, wiki_url=wiki, target=target
    ).first()
    if link is None:
        check = LinkCheck(ContentLink.Status.VERIFIED, "", len(files) or None)
        link = _save_link(
            actor=actor,
            partnership=partnership,
            kind=kind,
            fields=(wiki, target, items),
            depth=0,
            check=check,
        )
    elif items:
        link.items = list(dict.fromkeys([*link.items, *items]))
        link.save(update_fields=["items"])
    if not partnership.affiliate.is_demo:
        request_refresh(actor=actor, link=link)
    return link


def receive_published_content(**content: Any) -> None:
    """Link a finished batch's content to its partnership (hub.partnerships.slots receiver)."""
    link_published_content(**content)
