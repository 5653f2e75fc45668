"""Bank statements are booked in batches (one transaction each, decision 0094): a statement is
complete once ``completed_at`` is set. Every statement imported before was booked whole in one
transaction, so it is complete as of its import."""

from django.db import migrations, models


def mark_imported_statements_complete(apps, schema_editor):
    BankStatement = apps.get_model("payments", "BankStatement")
    BankStatement.objects.filter(completed_at__isnull=True).update(completed_at=models.F("imported_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_idempotencyrecord_moves_to_kernel"),
    ]

    operations = [
        migrations.AddField(
            model_name="bankstatement",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_imported_statements_complete, migrations.RunPython.noop),
    ]
