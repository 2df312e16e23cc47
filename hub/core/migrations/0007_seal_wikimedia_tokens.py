"""Seal the Wikimedia OAuth tokens kept before they were sealed at rest (hub.core.sealing)."""

from django.db import migrations

FIELDS = ("token", "token_secret")


def _each(apps, schema_editor, change):
    token_model = apps.get_model("socialaccount", "SocialToken")
    db = schema_editor.connection.alias
    for token in token_model.objects.using(db).only("pk", *FIELDS).iterator():
        values = {field: change(getattr(token, field) or "") for field in FIELDS}
        token_model.objects.using(db).filter(pk=token.pk).update(**values)


def seal(apps, schema_editor):
    from hub.core.wikimedia_login import seal_token

    _each(apps, schema_editor, seal_token)


def open_again(apps, schema_editor):
    from hub.core.wikimedia_login import open_token

    _each(apps, schema_editor, open_token)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_login_policy"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(seal, open_again)]
