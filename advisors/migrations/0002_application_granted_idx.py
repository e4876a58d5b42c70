"""A partial index on the applications table for the advisors' "granted but unassigned" scan.

``advisors.selectors.granted_without_assignment_ids`` (the 15-minute sweep) and
``granted_without_assignment_count`` (the compliance page) read granted applications in
``granted_at`` order and drop those with an ``Assignment`` (a NOT EXISTS anti-join on the
assignment's unique ``application_id`` index). ``(granted_at, id) WHERE status = 'granted'`` holds
only the granted rows (a few percent of all applications), in the order the sweep wants, with the
id in the index so that Postgres answers from the index alone (Index Only Scan).

Why here and not in ``applications``: the query and its plan are the advisors app's; the
applications app does not know about assignments (it never imports advisors) and its model is
edited by another team. A ``RunPython`` keeps the index out of Django's model state, so neither
app's ``makemigrations`` wants to add or remove it; the index is named ``adv_*`` like the
advisors' own indexes.

On Postgres the index is built ``CONCURRENTLY`` (the migration is not atomic) so that grants and
new applications are not blocked while it is built over a large table; a build that failed half-way
leaves an INVALID index, which is dropped and built again. SQLite (``make run`` without
DATABASE_URL) supports the same partial index, built plainly.
"""

from django.db import migrations

INDEX = "adv_app_granted_idx"
DEFINITION = "applications_application (granted_at, id) WHERE status = 'granted'"


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_index(apps, schema_editor):
    if not _postgres(schema_editor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {DEFINITION}")
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_catalog.pg_table_is_visible(c.oid)",
            [INDEX],
        )
        row = cursor.fetchone()
    if row is not None and not row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {DEFINITION}")


def drop_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if _postgres(schema_editor) else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("advisors", "0001_initial"),
        ("applications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
