"""``rathaus token issue|list|revoke``: API tokens for operators (issue 11, finding 13).

The plaintext of a new token is printed once and never stored; only its SHA-256 is kept. A token
belongs to a login (``--user``) or to an organisation (``--organisation``, e.g. a partner portal
that books appointments; its login for API tokens is made on first use, the organisation itself
with ``--new-organisation``), issue 20, finding 8. ``--office <slug>`` binds the token to the office
it speaks for: an authority asking the registers (scope ``registers:exchange``, issue 15).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from rathaus.accounts import selectors, services
from rathaus.accounts.models import Organisation, User
from rathaus.directory import selectors as directory_selectors
from rathaus.kernel.audit import Actor

CLI_ACTOR = Actor.system("rathaus token (Kommandozeile)")


class Command(BaseCommand):
    help = (
        "API-Tokens ausgeben (issue), auflisten (list) und widerrufen (revoke). "
        "(Issue, list and revoke API tokens.)"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{issue,list,revoke}")
        issue = sub.add_parser(
            "issue", help="Ein Token für ein Konto ausgeben; der Klartext erscheint einmal."
        )
        owner = issue.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", help="Benutzername des Kontos, dem das Token gehört.")
        owner.add_argument(
            "--organisation",
            metavar="NAME|NR",
            help="Organisation (Name oder Nummer), der das Token gehört, z. B. ein Partnerportal.",
        )
        issue.add_argument(
            "--new-organisation",
            action="store_true",
            help="Die mit --organisation genannte Organisation neu anlegen.",
        )
        issue.add_argument(
            "--kind",
            choices=Organisation.Kind.values,
            default=Organisation.Kind.COMPANY,
            help="Art der neuen Organisation (Standard: company).",
        )
        issue.add_argument("--name", required=True, help="Wofür das Token ist, z. B. „Fachverfahren Kasse“.")
        issue.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            metavar="SCOPE",
            help="Berechtigung, mehrfach möglich: efile:read, efile:write, einvoice:submit, "
            "payments:read, payments:write, appointments:book (Buchen für Partnerportale), "
            "appointments:desk (Tagesliste für Beschäftigte der Dienststelle), "
            "registers:exchange (Registeranfragen einer Behörde, braucht --office).",
        )
        issue.add_argument(
            "--office",
            metavar="KURZNAME",
            help="Dienststelle (Kurzname), für die das Token spricht, z. B. bei Registeranfragen.",
        )
        issue.add_argument(
            "--expires", metavar="JJJJ-MM-TT", help="Letzter Gültigkeitstag (Standard: unbefristet)."
        )
        listing = sub.add_parser("list", help="Tokens auflisten (ohne Klartext).")
        listing.add_argument("--user", help="Nur die Tokens dieses Kontos.")
        listing.add_argument("--all", action="store_true", help="Auch widerrufene und abgelaufene zeigen.")
        revoke = sub.add_parser("revoke", help="Ein Token sofort widerrufen.")
        revoke.add_argument(
            "prefix",
            help="Die ersten 8 Zeichen des Tokens (aus 'list'); beginnt er mit '-', davor '--' setzen.",
        )

    def handle(self, *args, subcommand, **options):
        # Wide enough that a table piped into a file or a pager is not cut to 80 columns.
        console = Console(file=self.stdout, highlight=False, soft_wrap=True, width=180)
        if subcommand == "issue":
            return self._issue(console, options)
        if subcommand == "list":
            return self._list(console, options)
        return self._revoke(console, options["prefix"])

    def _owner(self, options) -> tuple[User, str]:
        """The token's owner, and a line to print about a new organisation ("" if none)."""
        if options["user"] is not None:
            if options["new_organisation"]:
                raise CommandError("--new-organisation gehört zu --organisation, nicht zu --user.")
            owner = selectors.user_by_username(options["user"])
            if owner is None:
                raise CommandError(f"Kein aktives Konto „{options['user']}“.")
            return owner, ""
        name = options["organisation"].strip()
        found = selectors.organisations_named(name)
        note = ""
        if options["new_organisation"]:
            if found:
                raise CommandError(f"Eine Organisation „{name}“ gibt es schon (Nr. {found[0].pk}).")
            organisation = services.organisation_create(name=name, kind=options["kind"], by=CLI_ACTOR)
            note = f"Organisation „{organisation.name}“ angelegt (Nr. {organisation.pk})."
        elif not found:
            raise CommandError(f"Keine Organisation „{name}“. Mit --new-organisation wird sie angelegt.")
        elif len(found) > 1:
            numbers = ", ".join(str(o.pk) for o in found)
            raise CommandError(f"„{name}“ ist nicht eindeutig; nennen Sie die Nummer ({numbers}).")
        else:
            organisation = found[0]
        return services.organisation_api_account(organisation=organisation, by=CLI_ACTOR), note

    def _office(self, options):
        """The office named with --office (None without it); registers:exchange needs one."""
        if not options["office"]:
            if "registers:exchange" in options["scopes"]:
                raise CommandError(
                    "Ein Token mit registers:exchange braucht --office (die anfragende Stelle)."
                )
            return None
        office = directory_selectors.office_by_slug(slug=options["office"].strip())
        if office is None:
            raise CommandError(f"Keine Dienststelle mit dem Kurznamen „{options['office']}“.")
        return office

    def _issue(self, console, options):
        expires_at = None
        if options["expires"]:
            try:
                day = datetime.date.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError(f"„{options['expires']}“ ist kein Datum (JJJJ-MM-TT).") from None
            end_of_day = datetime.datetime.combine(day, datetime.time.max)
            expires_at = timezone.make_aware(end_of_day)
        office = self._office(options)
        try:
            # One transaction: a refused token leaves no new organisation behind.
            with transaction.atomic():
                owner, note = self._owner(options)
                token, plaintext = services.api_token_issue(
                    owner=owner,
                    name=options["name"],
                    scopes=options["scopes"],
                    expires_at=expires_at,
                    by=CLI_ACTOR,
                    office=office,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        whose = f"Organisation „{owner.organisation}“, Konto " if options["organisation"] else ""
        if office is not None:
            whose = f"Dienststelle „{office.name}“, {whose or 'Konto '}"
        console.print(
            f"Token „{token.name}“ für {whose}{owner.username} ({', '.join(token.scopes)}):", markup=False
        )
        console.print(plaintext, markup=False)
        console.print("Der Klartext wird nicht gespeichert und nie wieder angezeigt.")
        if note:
            console.print(note, markup=False)

    def _list(self, console, options):
        tokens = selectors.api_tokens(username=options["user"], include_unusable=options["all"])
        if not tokens:
            console.print("Keine Tokens.")
            return
        table = Table(
            "Präfix",
            "Name",
            "Konto",
            "Organisation",
            "Dienststelle",
            "Berechtigungen",
            "Ausgestellt",
            "Gültig bis",
            "Zuletzt benutzt",
            "Status",
        )
        now = timezone.now()
        for token in tokens:
            status = (
                "widerrufen"
                if token.revoked_at
                else "abgelaufen"
                if not token.is_usable(now=now)
                else "gültig"
            )
            table.add_row(
                token.prefix,
                token.name,
                token.owner.username,
                token.organisation.name if token.organisation else "–",
                token.office.slug if token.office else "–",
                ", ".join(token.scopes),
                f"{timezone.localtime(token.created_at):%d.%m.%Y}",
                f"{timezone.localtime(token.expires_at):%d.%m.%Y}" if token.expires_at else "unbefristet",
                f"{timezone.localtime(token.last_used_at):%d.%m.%Y %H:%M}" if token.last_used_at else "–",
                status,
            )
        console.print(table)

    def _revoke(self, console, prefix):
        matches = selectors.api_tokens_by_prefix(prefix)
        if len(matches) != 1:
            raise CommandError(
                f"Kein Token mit dem Präfix „{prefix}“."
                if not matches
                else f"Präfix „{prefix}“ ist nicht eindeutig."
            )
        token = services.api_token_revoke(token=matches[0], by=CLI_ACTOR)
        console.print(f"Token {token.prefix}… „{token.name}“ ist widerrufen.")
