"""No employer affiliated with two organisations on overlapping dates (R-5.2 a), in the database.

On Postgres: an exclusion constraint over (employer_org_number =, daterange(valid_from, valid_to,
'[]') &&) with btree_gist. SQLite has no such constraint; there the service-level check in
registry/services.py (which runs on every database and names both organisations) is the guard.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE registry_employeraffiliation ADD CONSTRAINT registry_aff_no_overlap "
    "EXCLUDE USING gist (employer_org_number WITH =, daterange(valid_from, valid_to, '[]') WITH &&)",
]
DROP = ["ALTER TABLE registry_employeraffiliation DROP CONSTRAINT IF EXISTS registry_aff_no_overlap"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_registration_affiliations_compensation")]

    operations = [migrations.RunPython(forwards, backwards)]
