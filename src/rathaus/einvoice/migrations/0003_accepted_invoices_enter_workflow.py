"""Invoices accepted before the workflow existed start it in state ``accepted``."""

from django.db import migrations


def forwards(apps, schema_editor):
    InboundInvoice = apps.get_model("einvoice", "InboundInvoice")
    InboundInvoice.objects.filter(status="accepted", state="").update(state="accepted")


class Migration(migrations.Migration):
    dependencies = [("einvoice", "0002_routing_workflow_export")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
