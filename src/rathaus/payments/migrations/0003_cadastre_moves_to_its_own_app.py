"""The cadastral map extract moves to the app ``cadastre`` (decision 0093).

Only Django's model state changes: the tables ``payments_parcel`` and
``payments_mapextractorder`` stay as they are and belong to ``cadastre`` from its migration
0001 on (``db_table``), so no row is lost.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_bankcredit_entry_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MapExtractOrder"),
                migrations.DeleteModel(name="Parcel"),
            ],
            database_operations=[],
        ),
    ]
