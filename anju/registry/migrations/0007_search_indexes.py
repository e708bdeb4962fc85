"""Indexes for the ledger search on PostgreSQL (``selectors.matching_households``).

- ``registry_person_name_chars``: GIN over the characters of a name. Chinese names are two or
  three characters and users search by the surname alone or the whole name, too short for
  trigrams; every character of the text must be in the name, then the substring is checked.
- ``registry_hh_number_trgm``: trigram GIN over the upper-cased household number, for a
  fragment of three or more characters anywhere in it (``number__icontains``).

pg_trgm is a trusted extension: the database's owner may create it without being a superuser.
SQLite (the demo) searches without them.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_person_name_chars ON registry_person "
    "USING gin (string_to_array(name, NULL))",
    "CREATE INDEX IF NOT EXISTS registry_hh_number_trgm ON registry_household "
    "USING gin (upper(number) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS registry_person_name_chars",
    "DROP INDEX IF EXISTS registry_hh_number_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_path_order")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
