"""Paths in byte order on PostgreSQL, and one index per table for a subtree in ledger order.

A path prefix is a subtree (``u1/u7/%``). Under the database's default collation (C.UTF-8 here,
a language collation elsewhere) PostgreSQL can use a btree for ``LIKE 'prefix%'`` only with the
``varchar_pattern_ops`` class, and that index cannot serve ``ORDER BY path``: a county leader's
first page of a million households sorted the whole subtree. With the column in the "C"
collation, one plain btree on (path, number) serves both. SQLite (the demo) keeps its default.

A later AlterField on these columns must keep COLLATE "C" (PostgreSQL resets the collation
when the type changes).
"""

from django.db import migrations, models

TABLES = ("registry_household", "registry_person")


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f'ALTER TABLE {table} ALTER COLUMN path TYPE varchar(255) COLLATE "C"'
        )


def collate_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN path TYPE varchar(255)")


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("registry", "0005_quality_findings"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="household", name="registry_hh_path"),
        migrations.RemoveIndex(model_name="person", name="registry_person_path"),
        migrations.RunPython(collate_c, collate_default, elidable=False),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["path", "number"], name="registry_hh_path_number"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["path", "id"], name="registry_person_path_id"),
        ),
    ]
