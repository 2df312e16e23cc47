"""Fold ø, æ, ł and the like in stored keys; give contacts a search text with its own index."""

from collections import defaultdict

from django.db import migrations, models

from hub.partners import keys, search

BATCH_SIZE = 1000


def _batches(queryset):
    """Yield the rows in primary-key order, BATCH_SIZE at a time."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH_SIZE])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def refold_organisations(apps, schema_editor):
    """Recompute normalised_name, website_domain (punycode decoded) and search_text with the new
    folding (what the services do)."""
    Organisation = apps.get_model("partners", "Organisation")
    Contact = apps.get_model("partners", "Contact")
    db = schema_editor.connection.alias
    organisations = Organisation.objects.using(db).only(
        "name",
        "other_names",
        "city",
        "website",
        "website_domain",
        "wikidata_qid",
        "normalised_name",
        "search_text",
    )
    for batch in _batches(organisations):
        contacts = defaultdict(list)
        rows = (
            Contact.objects.using(db)
            .filter(organisation_id__in=[org.pk for org in batch], archived_at=None)
            .order_by("name", "id")
            .values_list("organisation_id", "name", "emails")
        )
        for organisation_id, name, emails in rows:
            contacts[organisation_id].append((name, emails))
        changed = []
        for org in batch:
            normalised_name = keys.normalise_name(org.name)
            domain = keys.website_domain(org.website)
            search_text = keys.organisation_search_text(
                name=org.name,
                other_names=org.other_names,
                city=org.city,
                website_domain=domain,
                wikidata_qid=org.wikidata_qid,
                contacts=contacts[org.pk],
            )
            new = (normalised_name, domain, search_text)
            if new != (org.normalised_name, org.website_domain, org.search_text):
                org.normalised_name, org.website_domain, org.search_text = new
                changed.append(org)
        # bulk_update leaves updated_at alone: the partners did not change, their keys did.
        Organisation.objects.using(db).bulk_update(
            changed, ["normalised_name", "website_domain", "search_text"]
        )


def fill_contact_search_text(apps, schema_editor):
    """Give every contact the search text the services now keep."""
    Contact = apps.get_model("partners", "Contact")
    db = schema_editor.connection.alias
    contacts = (
        Contact.objects.using(db)
        .select_related("organisation")
        .only("name", "emails", "role", "search_text", "organisation__name")
    )
    for batch in _batches(contacts):
        for contact in batch:
            contact.search_text = keys.contact_search_text(
                name=contact.name,
                emails=contact.emails,
                role=contact.role,
                organisation_name=contact.organisation.name if contact.organisation else "",
            )
        Contact.objects.using(db).bulk_update(batch, ["search_text"])


def install_contact_search_index(apps, schema_editor):
    search.install(schema_editor.connection, search.CONTACTS)


def uninstall_contact_search_index(apps, schema_editor):
    search.uninstall(schema_editor.connection, search.CONTACTS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("partners", "0004_importbatch_queued"),
    ]

    operations = [
        # Backwards, the keys keep the newer folding: the older code then misses only the
        # searches typed with ø, æ, ł and the other letters it did not fold.
        migrations.RunPython(refold_organisations, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_contact_search_text, migrations.RunPython.noop, elidable=False),
        # Filled first: building both indexes over the text once is quicker than keeping them
        # in step with every row written above.
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("archived_at", None)),
                fields=["affiliate", "name", "id"],
                name="contact_live_name_idx",
            ),
        ),
        migrations.RunPython(
            install_contact_search_index, uninstall_contact_search_index, elidable=False
        ),
    ]
