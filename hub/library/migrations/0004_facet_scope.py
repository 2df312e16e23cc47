"""Facet rows carry who may see their resource, so search counts from them alone."""

import django.db.models.deletion
from django.db import migrations, models


def fill_scope(apps, schema_editor):
    Resource = apps.get_model("library", "Resource")
    ResourceFacet = apps.get_model("library", "ResourceFacet")
    for resource in Resource.objects.all().only("id", "affiliate_id", "visibility").iterator():
        partnership = (
            apps.get_model("library", "CaseStudy")
            .objects.filter(resource_id=resource.id)
            .values_list("partnership_id", flat=True)
            .first()
        )
        ResourceFacet.objects.filter(resource_id=resource.id).update(
            affiliate_id=resource.affiliate_id,
            visibility=resource.visibility,
            case_partnership_id=partnership,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("library", "0003_scope_index"),
        ("partnerships", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="resourcefacet",
            name="affiliate",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.affiliate",
            ),
        ),
        migrations.AddField(
            model_name="resourcefacet",
            name="visibility",
            field=models.CharField(default="affiliate", max_length=10),
        ),
        migrations.AddField(
            model_name="resourcefacet",
            name="case_partnership",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partnerships.partnership",
            ),
        ),
        migrations.RunPython(fill_scope, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="resourcefacet",
            name="affiliate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.affiliate",
            ),
        ),
    ]
