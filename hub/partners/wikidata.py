"""Match organisations with Wikidata items: candidates scored, accepted or rejected, facts kept.

Every request goes through hub.wikimedia's WikidataClient: one wbsearchentities per name, then
wbgetentities for up to 50 candidates at a time (and for the countries' ISO codes, cached), so a
batch over a directory costs little more than the API's minimum.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.partners.keys import normalise_name, website_domain
from hub.partners.models import Organisation, PartnerType, WikidataCandidate, WikidataRun
from hub.wikimedia.errors import WikiError
from hub.wikimedia.wikidata import Entity, MissingEntity, WikidataClient

# Which Wikidata classes (P31, "instance of") fit each partner type. Settings may replace it
# (HUB_WIKIDATA_PARTNER_CLASSES); a type missing here scores no type points either way.
PARTNER_CLASSES: dict[str, tuple[str, ...]] = {
    PartnerType.MUSEUM: ("Q33506", "Q207694", "Q1970365", "Q588140", "Q17431399", "Q16735822"),
    PartnerType.ARCHIVE: ("Q166118", "Q473972"),
    PartnerType.LIBRARY: ("Q7075", "Q22806", "Q28564", "Q856234"),
    PartnerType.GALLERY: ("Q1007870", "Q207694"),
    PartnerType.UNIVERSITY: ("Q3918", "Q875538", "Q902104", "Q31855"),
    PartnerType.SCHOOL: ("Q3914",),
    PartnerType.FOUNDATION: ("Q157031",),
    PartnerType.NGO: ("Q163740", "Q79913", "Q48204"),
    PartnerType.COMPANY: ("Q4830453", "Q783794", "Q6881511"),
    PartnerType.GOVERNMENT: ("Q327333", "Q2659904"),
    PartnerType.AFFILIATE: ("Q8513", "Q15633582", "Q41491236"),
}
# Points out of 100: how alike the names are, then each fact that agrees.
NAME_POINTS = 55.0
TYPE_POINTS = 15.0
COUNTRY_POINTS = 15.0
COUNTRY_MISMATCH = 20.0
WEBSITE_POINTS = 15.0
COORDINATE_POINTS = 10.0
NEAR_KM = 25.0
# How many search hits each name brings; candidates under this score are not kept.
SEARCH_LIMIT = 5
KEEP_SCORE = 30.0
CHUNK = 50
COUNTRY_CACHE_SECONDS = 60 * 60 * 24 * 30
ENTITY_PROPS = ("labels", "descriptions", "aliases", "claims")
# The facts an accepted item brings back, in the order shown.
FACT_PROPERTIES: dict[str, Any] = {
    "P856": gettext_lazy("Official website"),
    "P18": gettext_lazy("Image"),
    "P625": gettext_lazy("Coordinates"),
    "P571": gettext_lazy("Founded"),
    "P791": gettext_lazy("ISIL"),
    "P214": gettext_lazy("VIAF"),
    "P213": gettext_lazy("ISNI"),
    "P227": gettext_lazy("GND"),
    "P6782": gettext_lazy("ROR"),
}


class MatchingError(Exception):
    """Report, in a volunteer's words, why Wikidata could not be asked or answered oddly."""


def client(*, background: bool = True) -> WikidataClient:
    """Return the Wikidata client (a local stand-in in tests).

    A person waiting on a page gets the foreground's short retries; a worker can wait longer.
    """
    return WikidataClient(f"{settings.HUB_IMPACT_WIKIDATA_URL}/w/api.php", background=background)


def partner_classes() -> Mapping[str, tuple[str, ...]]:
    """Return the configured map of partner type to Wikidata classes."""
    return getattr(settings, "HUB_WIKIDATA_PARTNER_CLASSES", None) or PARTNER_CLASSES


@dataclass(frozen=True)
class Profile:
    """What is known of an organisation to compare with an item."""

    names: tuple[str, ...]
    partner_type: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    website: str = ""  # a domain
    coordinates: tuple[float, float] | None = None

    @classmethod
    def of(cls, org: Organisation) -> Profile:
        return cls(
            names=(org.name, *org.other_names_list),
            partner_type=org.partner_type,
            country=str(org.country or ""),
            website=org.website_domain,
        )


@dataclass(frozen=True)
class Score:
    """A candidate's score out of 100 and the reasons behind it."""

    score: float
    reasons: list[dict[str, Any]]


def _names_of(entity: Entity) -> set[str]:
    names = set(entity.labels.values())
    for aliases in entity.aliases.values():
        names.update(aliases)
    return {normalise_name(n) for n in names if n}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def score(profile: Profile, entity: Entity, country_codes: Mapping[str, str]) -> Score:
    """Return how well the item fits the organisation: names, type, country, website, place."""
    ours = [normalise_name(n) for n in profile.names if n]
    theirs = _names_of(entity)
    name = max(
        (difflib.SequenceMatcher(None, a, b).ratio() for a in ours for b in theirs), default=0.0
    )
    total = name * NAME_POINTS
    reasons: list[dict[str, Any]] = [{"id": "name", "value": round(name, 3)}]
    classes = set(partner_classes().get(profile.partner_type, ()))
    kinds = set(entity.item_values("P31"))
    if classes and kinds:
        fits = bool(classes & kinds)
        total += TYPE_POINTS if fits else 0.0
        reasons.append({"id": "type", "value": fits})
    codes = {country_codes.get(q, "") for q in entity.item_values("P17")} - {""}
    if profile.country and codes:
        fits = profile.country in codes
        total += COUNTRY_POINTS if fits else -COUNTRY_MISMATCH
        reasons.append({"id": "country", "value": fits})
    sites = {website_domain(str(v)) for v in entity.values("P856")} - {""}
    if profile.website and sites:
        fits = profile.website in sites
        total += WEBSITE_POINTS if fits else 0.0
        reasons.append({"id": "website", "value": fits})
    places = [v for v in entity.values("P625") if isinstance(v, dict)]
    if profile.coordinates and places:
        near = any(
            _km(profile.coordinates, (float(p["latitude"]), float(p["longitude"]))) <= NEAR_KM
            for p in places
        )
        total += COORDINATE_POINTS if near else 0.0
        reasons.append({"id": "coordinates", "value": near})
    return Score(max(0.0, min(100.0, round(total, 1))), reasons)


def country_codes(wd: WikidataClient, entities: Iterable[Entity]) -> dict[str, str]:
    """Return the ISO codes (P297) of the entities' countries, asking Wikidata only once each."""
    wanted = {q for e in entities for q in e.item_values("P17")}
    known: dict[str, str] = {}
    for qid in wanted:
        code = cache.get(f"wikidata:iso:{qid}")
        if code is not None:
            known[qid] = code
    missing = sorted(wanted - set(known))
    if missing:
        for qid, found in wd.get_entities(missing, props=("claims",)).items():
            code = ""
            if isinstance(found, Entity):
                code = next((str(v).upper() for v in found.values("P297")), "")
            known[qid] = code
            cache.set(f"wikidata:iso:{qid}", code, COUNTRY_CACHE_SECONDS)
    return known


def _language(affiliate: Affiliate) -> str:
    return (getattr(affiliate, "language", "") or settings.LANGUAGE_CODE or "en").split("-")[0]


def look_up(
    wd: WikidataClient, organisations: list[Organisation], language: str
) -> dict[int, list[tuple[Entity, Score]]]:
    """Return each organisation's scored candidates: a search per name, then the items in 50s."""
    hits = {
        org.pk: [h.id for h in wd.search_entities(org.name, language=language, limit=SEARCH_LIMIT)]
        for org in organisations
    }
    ids = list(dict.fromkeys(i for found in hits.values() for i in found))
    fetched = wd.get_entities(ids, props=ENTITY_PROPS) if ids else {}
    entities = [e for e in fetched.values() if isinstance(e, Entity)]
    codes = country_codes(wd, entities)
    result: dict[int, list[tuple[Entity, Score]]] = {}
    for org in organisations:
        profile = Profile.of(org)
        scored = []
        for qid in hits[org.pk]:
            entity = fetched.get(qid)
            if isinstance(entity, Entity):
                scored.append((entity, score(profile, entity, codes)))
        result[org.pk] = sorted(scored, key=lambda row: -row[1].score)
    return result


def _save_candidates(org: Organisation, scored: list[tuple[Entity, Score]], language: str) -> int:
    """Keep the candidates worth a look; a decision already taken on an item is left alone."""
    decided = set(
        org.wikidata_candidates.exclude(status=WikidataCandidate.Status.PROPOSED).values_list(
            "qid", flat=True
        )
    )
    kept = 0
    for entity, found in scored:
        if found.score < KEEP_SCORE or entity.id in decided:
            continue
        WikidataCandidate.objects.update_or_create(
            organisation=org,
            qid=entity.id,
            defaults={
                "affiliate_id": org.affiliate_id,
                "label": entity.label(language)[:300],
                "description": (
                    entity.descriptions.get(language) or entity.descriptions.get("en", "")
                )[:500],
                "score": found.score,
                "reasons": found.reasons,
            },
        )
        kept += 1
    return kept


def find_candidates(*, organisation: Organisation, wd: WikidataClient | None = None) -> int:
    """Look the organisation up on Wikidata now and keep its candidates; return how many.

    Raises MatchingError when Wikidata cannot be reached: nothing is written then.
    """
    wd = wd or client(background=False)
    language = _language(organisation.affiliate)
    try:
        scored = look_up(wd, [organisation], language)[organisation.pk]
    except WikiError as error:
        raise MatchingError(_wiki_message(error)) from error
    with transaction.atomic():
        return _save_candidates(organisation, scored, language)


def _wiki_message(error: WikiError) -> str:
    if error.retryable:
        return _("Wikidata did not answer in time. Nothing was changed; try again in a while.")
    return _("Wikidata refused the request (%(reason)s). Nothing was changed.") % {
        "reason": error.message
    }


def _fact_value(prop: str, value: Any) -> tuple[str, str]:
    """Return a fact's text and, where there is one, the address it points to."""
    if prop == "P18":
        name = str(value).replace(" ", "_")
        return str(value), f"https://commons.wikimedia.org/wiki/File:{name}"
    if prop == "P625" and isinstance(value, dict):
        return f"{value.get('latitude')}, {value.get('longitude')}", ""
    if prop == "P571" and isinstance(value, dict):
        time = str(value.get("time", "")).lstrip("+")
        precision = int(value.get("precision", 11))
        return (time[:4] if precision <= 9 else time[:7] if precision == 10 else time[:10]), ""
    if prop == "P856":
        return str(value), str(value)
    return str(value), ""


def facts_of(entity: Entity) -> list[dict[str, str]]:
    """Return the item's facts worth showing, each with the statement it comes from."""
    facts = []
    for prop in FACT_PROPERTIES:
        for value in entity.values(prop):
            text, link = _fact_value(prop, value)
            facts.append(
                {
                    "property": prop,
                    "value": text,
                    "link": link,
                    "source": f"https://www.wikidata.org/wiki/{entity.id}#{prop}",
                }
            )
    return facts


def fact_label(prop: str) -> str:
    """Return the name of a fact's property, in the reader's language."""
    return str(FACT_PROPERTIES.get(prop, prop))


def accept(
    *, actor: User, candidate: WikidataCandidate, wd: WikidataClient | None = None
) -> WikidataCandidate:
    """Link the organisation to the item and keep its facts; raise MatchingError if it is gone.

    The item is read before anything is written: a deleted item, or a Wikidata that does not
    answer, changes nothing. A redirected (merged) item is linked under its new id.
    """
    wd = wd or client(background=False)
    try:
        found = wd.get_entities([candidate.qid], props=ENTITY_PROPS).get(candidate.qid)
    except WikiError as error:
        raise MatchingError(_wiki_message(error)) from error
    if not isinstance(found, Entity) or isinstance(found, MissingEntity):
        raise MatchingError(
            _("Wikidata has no item %(qid)s any more (it was deleted). Nothing was changed.")
            % {"qid": candidate.qid}
        )
    with transaction.atomic():
        row = WikidataCandidate.objects.select_for_update().get(pk=candidate.pk)
        org = Organisation.objects.select_for_update().get(pk=row.organisation_id)
        old_qid = org.wikidata_qid
        if found.id != row.qid:
            # Merged into another item: keep the candidate under the id Wikidata uses now.
            WikidataCandidate.objects.filter(organisation=org, qid=found.id).exclude(
                pk=row.pk
            ).delete()
            row.qid = found.id
        now = timezone.now()
        row.status = WikidataCandidate.Status.ACCEPTED
        row.facts = facts_of(found)
        row.facts_fetched_at = now
        row.decided_by = actor
        row.decided_at = now
        row.save()
        org.wikidata_qid = row.qid
        org.save(update_fields=["wikidata_qid", "updated_at"])
        audit.record(
            actor=actor,
            affiliate=org.affiliate,
            action="wikidata.accepted",
            target=org,
            changes={"wikidata_qid": [old_qid, row.qid]},
        )
    return row


@transaction.atomic
def reject(*, actor: User, candidate: WikidataCandidate) -> None:
    """Mark the item as not this organisation; later look-ups do not propose it again."""
    row = WikidataCandidate.objects.select_for_update().get(pk=candidate.pk)
    row.status = WikidataCandidate.Status.REJECTED
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        affiliate=row.affiliate,
        action="wikidata.rejected",
        target=row.organisation,
        changes={"rejected": [None, row.qid]},
    )


def unmatched(affiliate: Affiliate) -> Any:
    """Return the affiliate's live organisations without a Wikidata item."""
    return Organisation.objects.filter(affiliate=affiliate, archived_at=None, wikidata_qid="")


def continue_run(*, run_id: int, wd: WikidataClient | None = None, chunk: int = CHUNK) -> str:
    """Work through a run chunk by chunk from its cursor; return its status.

    "queued" means Wikidata did not answer for now: the caller tries again later.

    Each chunk's candidates and the cursor are saved together, so a worker killed midway
    resumes after the last saved chunk and asks Wikidata nothing twice for the chunks done.
    """
    run = WikidataRun.objects.select_related("affiliate").get(pk=run_id)
    if run.status in (WikidataRun.Status.DONE, WikidataRun.Status.FAILED):
        return run.status
    wd = wd or client()
    language = _language(run.affiliate)
    WikidataRun.objects.filter(pk=run.pk).update(status=WikidataRun.Status.RUNNING, message="")
    while True:
        orgs = list(unmatched(run.affiliate).filter(pk__gt=run.cursor).order_by("pk")[:chunk])
        if not orgs:
            WikidataRun.objects.filter(pk=run.pk).update(
                status=WikidataRun.Status.DONE, finished_at=timezone.now()
            )
            return WikidataRun.Status.DONE
        before = wd.stats.requests
        try:
            scored = look_up(wd, orgs, language)
        except WikiError as error:
            failures = run.failures + 1
            again = error.retryable and failures < settings.HUB_TASK_MAX_ATTEMPTS
            status = WikidataRun.Status.QUEUED if again else WikidataRun.Status.FAILED
            WikidataRun.objects.filter(pk=run.pk).update(
                status=status, failures=failures, message=_wiki_message(error)[:500]
            )
            return status
        with transaction.atomic():
            for org in orgs:
                _save_candidates(org, scored[org.pk], language)
            run.cursor = orgs[-1].pk
            run.done += len(orgs)
            run.requests += wd.stats.requests - before
            run.failures = 0
            WikidataRun.objects.filter(pk=run.pk).update(
                cursor=run.cursor, done=run.done, requests=run.requests, failures=0
            )


def latest_run(affiliate: Affiliate) -> WikidataRun | None:
    """Return the affiliate's latest run, for its progress."""
    return WikidataRun.objects.filter(affiliate=affiliate).first()


def organisation_wikidata(organisation: Organisation) -> dict[str, Any]:
    """Return the organisation's accepted item with its facts, and the candidates to review."""
    rows = list(organisation.wikidata_candidates.all())
    accepted = next(
        (
            r
            for r in rows
            if r.status == WikidataCandidate.Status.ACCEPTED and r.qid == organisation.wikidata_qid
        ),
        None,
    )
    facts = [
        {**fact, "label": fact_label(fact.get("property", ""))}
        for fact in (accepted.facts if accepted else [])
    ]
    return {
        "accepted": accepted,
        "facts": facts,
        "proposed": [r for r in rows if r.status == WikidataCandidate.Status.PROPOSED][:5],
        "rejected_count": sum(r.status == WikidataCandidate.Status.REJECTED for r in rows),
    }
