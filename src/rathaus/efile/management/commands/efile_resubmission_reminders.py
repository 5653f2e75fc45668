"""``rathaus efile_resubmission_reminders [--date YYYY-MM-DD]``: remind staff of due Wiedervorlagen.

Run once a day (cron, systemd timer or a Kubernetes CronJob). Queues one e-mail per person for
the worker; a second run on the same day queues nothing new.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from rathaus.efile import services


class Command(BaseCommand):
    help = (
        "Erinnert Beschäftigte per E-Mail an fällige Wiedervorlagen (einmal täglich ausführen). "
        "E-mails staff about due resubmissions (run once a day; repeated runs send nothing twice)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Stichtag JJJJ-MM-TT (Standard: heute) / reference date (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = options["date"] or timezone.localdate()
        count = services.resubmission_reminders_enqueue(on=on)
        self.stdout.write(
            self.style.SUCCESS(f"Erinnerungen für {count} Personen zum {on:%d.%m.%Y} eingereiht.")
        )
