"""The database's guard that a confirmed appointment always owns its units (triggers on SQLite and
PostgreSQL, see ``rathaus.appointments.claim_guard`` and decision 0084)."""

from django.db import migrations

from rathaus.appointments import claim_guard


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0003_appointment_request_key"),
    ]

    operations = [
        migrations.RunPython(claim_guard.install, claim_guard.remove, elidable=False),
    ]
