"""``rathaus appointments``: the Terminvergabe at the command line.

Without a subcommand (or ``housekeeping``) it is the daily housekeeping run from cron, as it
always was (``rathaus appointments [--no-reminders]``). ``plan`` applies or shows an office's
planning as a file, ``day`` prints an office's day list (audited); see
``management/plan_command.py`` and ``management/day_command.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import Progress

from rathaus.kernel import idempotency, spent

from ... import selectors, services
from .. import day_command, plan_command

NO_REMINDERS_HELP = "keine Erinnerungen verschicken / do not send reminders"


class Command(BaseCommand):
    help = (
        "Terminvergabe. Ohne Unterbefehl (oder mit 'housekeeping'): legt Zeiteinheiten bis zum "
        "Freigabehorizont an, gibt abgelaufene Reservierungen frei, verschickt fällige Erinnerungen und "
        "löscht die Einträge abgelaufener Einmal-Tokens (täglich per cron); 'plan': Terminplanung aus "
        "einer Datei übernehmen oder zeigen; 'day': Tagesliste einer Dienststelle. / Appointments. "
        "Without a subcommand (or 'housekeeping'): creates slots up to the release horizon, releases "
        "lapsed holds, sends due reminders and deletes the records of expired one-time tokens (run "
        "daily from cron); 'plan': apply or show an office's planning as a file; 'day': an office's "
        "day list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-reminders", action="store_true", help=NO_REMINDERS_HELP)
        sub = parser.add_subparsers(dest="subcommand", metavar="{housekeeping,plan,day}")
        housekeeping = sub.add_parser(
            "housekeeping",
            help="tägliche Pflege (wie ohne Unterbefehl) / daily housekeeping (as without a subcommand)",
            description="Legt Zeiteinheiten an, gibt abgelaufene Reservierungen frei, verschickt "
            "fällige Erinnerungen und löscht abgelaufene Einmal-Tokens. / Creates slots, releases lapsed "
            "holds, sends due reminders and deletes expired one-time tokens.",
        )
        # Its own name: a subcommand's default would overwrite "--no-reminders" given before it.
        housekeeping.add_argument(
            "--no-reminders", dest="housekeeping_no_reminders", action="store_true", help=NO_REMINDERS_HELP
        )
        plan_command.add_arguments(sub)
        day_command.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options.get("subcommand")
        if subcommand == "plan":
            plan_command.run(self.stdout, options)
        elif subcommand == "day":
            day_command.run(self.stdout, options)
        else:
            no_reminders = options["no_reminders"] or options.get("housekeeping_no_reminders", False)
            self._housekeeping(no_reminders=no_reminders)

    def _housekeeping(self, *, no_reminders: bool) -> None:
        offices = selectors.planned_offices()
        slots = 0
        with Progress(transient=True) as progress:
            bar = progress.add_task("Zeiteinheiten / slots", total=len(offices))
            for office in offices:
                slots += services.slots_generate(office=office)
                progress.advance(bar)
        lapsed = services.holds_release_lapsed()
        reminders = 0 if no_reminders else services.reminders_send_due()
        purged = spent.purge_expired()
        replays = idempotency.purge_expired()
        self.stdout.write(
            f"{len(offices)} Dienststellen, {slots} Zeiteinheiten geprüft, "
            f"{lapsed} Reservierungen verfallen, "
            f"{reminders} Erinnerungen verschickt, "
            f"{purged} abgelaufene Einmal-Tokens und {replays} alte Idempotenz-Einträge gelöscht."
        )
