"""PostgreSQL: a title-only vector beside the full one (the search index is installed again)."""

from django.db import migrations

from hub.library import search


def install_search_index(apps, schema_editor):
    search.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("library", "0004_facet_scope")]

    operations = [migrations.RunPython(install_search_index, migrations.RunPython.noop)]
