"""The idempotency records move to the kernel (``kernel.IdempotencyRecord``), which every app's API
now uses (decision 0085): the rows are copied there, then this app's table is dropped. Going
back copies them the other way."""

from django.db import migrations

BATCH = 1000
FIELDS = ("owner", "key", "operation", "body_hash", "status_code", "response", "created_at")


def _copy(source, target, alias):
    batch = []
    for row in source.objects.using(alias).order_by("pk").values(*FIELDS).iterator(chunk_size=BATCH):
        batch.append(target(**row))
        if len(batch) == BATCH:
            target.objects.using(alias).bulk_create(batch, ignore_conflicts=True)
            batch = []
    target.objects.using(alias).bulk_create(batch, ignore_conflicts=True)


def to_kernel(apps, schema_editor):
    _copy(
        apps.get_model("payments", "IdempotencyRecord"),
        apps.get_model("kernel", "IdempotencyRecord"),
        schema_editor.connection.alias,
    )


def to_payments(apps, schema_editor):
    _copy(
        apps.get_model("kernel", "IdempotencyRecord"),
        apps.get_model("payments", "IdempotencyRecord"),
        schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_claim_product_fulfilment"),
        ("kernel", "0006_spent_token_and_idempotency"),
    ]

    operations = [
        migrations.RunPython(to_kernel, to_payments),
        migrations.DeleteModel(name="IdempotencyRecord"),
    ]
