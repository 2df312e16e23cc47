"""The full-text index over resources: FTS5 on SQLite, unaccent + tsvector on PostgreSQL."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

from hub.library import search


def install_search_index(apps, schema_editor):
    search.install(schema_editor.connection)


def uninstall_search_index(apps, schema_editor):
    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        # Only on PostgreSQL (the operation does nothing elsewhere); CI's user is a superuser.
        UnaccentExtension(),
        migrations.RunPython(install_search_index, uninstall_search_index),
    ]
