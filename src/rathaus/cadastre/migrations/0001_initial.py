"""The models of the cadastral map extract, moved from the payments app (decision 0093).

State only: the tables exist since ``payments.0001_initial`` and keep their names
(``db_table``); nothing is created or copied, no row is lost.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kernel", "0002_search_structures"),
        ("payments", "0003_cadastre_moves_to_its_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Parcel",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("gemarkung", models.CharField(max_length=80)),
                        ("flur", models.PositiveIntegerField()),
                        ("number", models.PositiveIntegerField()),
                        ("row", models.PositiveIntegerField()),
                        ("col", models.PositiveIntegerField()),
                        ("polygon", models.JSONField()),
                        ("area_m2", models.PositiveIntegerField()),
                        ("land_use", models.CharField(max_length=60)),
                    ],
                    options={
                        "db_table": "payments_parcel",
                        "ordering": ["gemarkung", "flur", "number"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("gemarkung", "flur", "number"), name="parcel_number_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="MapExtractOrder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("awaiting_payment", "Wartet auf Zahlung"), ("fulfilled", "Bereitgestellt")],
                                default="awaiting_payment",
                                max_length=20,
                            ),
                        ),
                        ("case_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("fulfilled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "citizen",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="map_orders",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "claim",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="payments.claim"
                            ),
                        ),
                        (
                            "extract",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="kernel.blob",
                            ),
                        ),
                        (
                            "receipt",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="kernel.blob",
                            ),
                        ),
                        (
                            "parcel",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="orders",
                                to="cadastre.parcel",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_mapextractorder",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
