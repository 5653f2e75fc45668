"""``rathaus appointments``: daily housekeeping of the Terminvergabe (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import Progress

from ... import selectors, services


class Command(BaseCommand):
    help = (
        "Terminvergabe: legt Zeiteinheiten bis zum Freigabehorizont an, gibt abgelaufene Reservierungen "
        "frei und verschickt fällige Erinnerungen (täglich per cron). / Appointments: creates slots up to "
        "the release horizon, releases lapsed holds and sends due reminders (run daily from cron)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-reminders",
            action="store_true",
            help="keine Erinnerungen verschicken / do not send reminders",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        offices = selectors.planned_offices()
        slots = 0
        with Progress(transient=True) as progress:
            bar = progress.add_task("Zeiteinheiten / slots", total=len(offices))
            for office in offices:
                slots += services.slots_generate(office=office)
                progress.advance(bar)
        lapsed = services.holds_release_lapsed()
        reminders = 0 if options["no_reminders"] else services.reminders_send_due()
        self.stdout.write(
            f"{len(offices)} Dienststellen, {slots} Zeiteinheiten geprüft, "
            f"{lapsed} Reservierungen verfallen, "
            f"{reminders} Erinnerungen verschickt."
        )
