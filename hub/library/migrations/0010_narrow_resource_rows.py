"""PostgreSQL: keep a resource's long columns (its file's text, its search vectors) out of its
row, so a search that matches thousands of resources visits a few hundred narrow table pages
instead of thousands of wide ones (bench/library.py: a common word, 5.1 -> 3.7 x the floor).

toast_tuple_target asks PostgreSQL to move long values to the table's TOAST storage until a
row is about this many bytes; the rows written before are rewritten once so that it holds
for them too (their values are unchanged; the search trigger does not fire: no column it
follows is set). SQLite has no such storage: nothing to do there.
"""

from django.db import migrations

TABLE = "library_resource"


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
        cursor.execute(f"UPDATE {TABLE} SET id = id")  # noqa: S608 - rewrite each row once


def widen(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("library", "0009_resource_created_index")]

    operations = [migrations.RunPython(narrow, widen)]
