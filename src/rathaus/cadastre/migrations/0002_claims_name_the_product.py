"""Data: the claims of existing orders name their product, so payments delivers them through
the fulfilment registry (decision 0093); a paid order that was never delivered (its error was
swallowed before) becomes a failed delivery the cash office sees and can try again."""

from django.db import migrations
from django.utils import timezone

PRODUCT = "cadastre.map_extract"
NOT_DELIVERED = (
    "Vor der Umstellung auf die Bereitstellung nach Zahlung nicht geliefert; bitte erneut versuchen."
)


def forwards(apps, schema_editor):
    order_model = apps.get_model("cadastre", "MapExtractOrder")
    claim_model = apps.get_model("payments", "Claim")
    fulfilment_model = apps.get_model("payments", "Fulfilment")
    claim_ids = list(order_model.objects.values_list("claim_id", flat=True))
    for start in range(0, len(claim_ids), 2000):
        claim_model.objects.filter(pk__in=claim_ids[start : start + 2000]).update(product=PRODUCT)
    stranded = order_model.objects.filter(status="awaiting_payment", claim__status="paid").values_list(
        "claim_id", flat=True
    )
    now = timezone.now()
    fulfilment_model.objects.bulk_create(
        [
            fulfilment_model(claim_id=pk, status="failed", error=NOT_DELIVERED, created_at=now, updated_at=now)
            for pk in stranded
            if not fulfilment_model.objects.filter(claim_id=pk).exists()
        ]
    )


def backwards(apps, schema_editor):
    claim_model = apps.get_model("payments", "Claim")
    claim_model.objects.filter(product=PRODUCT).update(product="")


class Migration(migrations.Migration):
    dependencies = [
        ("cadastre", "0001_initial"),
        ("payments", "0004_claim_product_fulfilment"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
