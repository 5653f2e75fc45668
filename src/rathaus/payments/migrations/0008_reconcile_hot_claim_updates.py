"""Claims updated in place, fewer index entries per booked credit (decision 0112, issue 13).

- ``Claim.status`` is no longer indexed, and on PostgreSQL the claim table leaves 30 % of
  each page free (``fillfactor = 70``): booking a payment changes a claim's totals and status,
  and with no indexed column changed and room on its page PostgreSQL writes the new version
  beside the old one without new entries in the claim's six other indexes (a HOT update).
  The setting applies to pages written from now on; existing pages keep their rows until
  they are rewritten (``VACUUM FULL`` or ``CLUSTER`` in a maintenance window, if wanted).
- ``Posting.account`` (four accounts) and ``JournalEntry.created_at`` (never searched) are no
  longer indexed: every booked credit wrote an entry into both.
- ``BankCredit.status`` and ``booked_on`` give way to one partial index for the manual queue
  (the unmatched credits by day), ``Payment.initiated_by`` is indexed only where set and
  ``Payment.transaction_id`` only for online payments (the provider's notification looks it
  up): the credits matched on import and their payments (most of them) get no entry there.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def claim_pages_with_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE payments_claim SET (fillfactor = 70)")


def claim_pages_full(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE payments_claim RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0007_drop_pattern_ops_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="claim",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Offen"),
                    ("partly_paid", "Teilweise bezahlt"),
                    ("paid", "Bezahlt"),
                    ("refunded", "Erstattet"),
                    ("cancelled", "Aufgehoben"),
                ],
                default="open",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="posting",
            name="account",
            field=models.CharField(max_length=20),
        ),
        migrations.AlterField(
            model_name="bankcredit",
            name="booked_on",
            field=models.DateField(),
        ),
        migrations.AlterField(
            model_name="bankcredit",
            name="status",
            field=models.CharField(
                choices=[
                    ("matched", "Zugeordnet"),
                    ("partial", "Teilzahlung zugeordnet"),
                    ("over", "Überzahlung zugeordnet"),
                    ("held", "Forderung schon bezahlt – in Verwahrung"),
                    ("unmatched", "Nicht zugeordnet"),
                    ("assigned", "Manuell zugeordnet"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="initiated_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="bankcredit",
            index=models.Index(
                condition=models.Q(("status", "unmatched")),
                fields=["booked_on", "id"],
                name="bankcredit_unmatched_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("initiated_by__isnull", False)),
                fields=["initiated_by"],
                name="payment_initiated_by",
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="transaction_id",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("method", "online")),
                fields=["transaction_id"],
                name="payment_online_transaction",
            ),
        ),
        migrations.RunPython(claim_pages_with_room, claim_pages_full),
    ]
