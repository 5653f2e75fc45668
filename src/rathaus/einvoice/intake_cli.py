"""The intake subcommands of ``rathaus einvoice``: ``rules install|show`` and ``mail``.

Kept apart from the command module so that the command itself stays a thin dispatcher.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from . import mail, rules

# sysexits.h: a temporary failure makes the mail server keep the message and try again later.
EX_TEMPFAIL = 75


def add_parsers(sub: Any) -> None:
    """Add ``rules`` and ``mail`` to the ``einvoice`` command's subparsers."""
    rules_parser = sub.add_parser(
        "rules",
        help="Offizielles KoSIT-Regelwerk installieren oder anzeigen (install or show the official rule set)",
    )
    rules_sub = rules_parser.add_subparsers(dest="rules_action", required=True)
    install = rules_sub.add_parser(
        "install",
        help="Regelwerk prüfen (SHA-256 gegen das Manifest) und installieren "
        "(verify against the pinned manifest and install)",
    )
    source = install.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from",
        dest="source",
        type=Path,
        help="Release-ZIP oder entpacktes Verzeichnis (release zip or unpacked directory)",
    )
    source.add_argument(
        "--pinned",
        action="store_true",
        help="Die festgelegte Version von der dokumentierten Adresse laden (download the pinned release)",
    )
    install.add_argument("--url", help=argparse.SUPPRESS)  # tests and mirrors: another URL for --pinned
    install.add_argument(
        "--target",
        type=Path,
        help="Zielverzeichnis (Standard: EINVOICE_RULES_DIR) / target directory",
    )
    show = rules_sub.add_parser("show", help="Aktives Regelwerk anzeigen (show the active rule set)")
    show.add_argument(
        "--verify", action="store_true", help="Dateien erneut gegen das Manifest prüfen (re-check hashes)"
    )
    mail_parser = sub.add_parser(
        "mail",
        help="E-Rechnungen aus E-Mails annehmen: Maildir oder eine Nachricht auf stdin "
        "(receive e-invoices from a Maildir or one RFC 822 message on stdin)",
    )
    where = mail_parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--maildir", type=Path, help="Maildir-Verzeichnis (neue Nachrichten in new/)")
    where.add_argument(
        "--stdin", action="store_true", help="Eine Nachricht von stdin lesen (SMTP-Pipe / pipe transport)"
    )
    where.add_argument("--imap", metavar="HOST", help="IMAP-Postfach abfragen, TLS auf Port 993 (poll IMAP)")
    mail_parser.add_argument("--imap-user", help="IMAP-Benutzer")
    mail_parser.add_argument(
        "--imap-password-env",
        default="EINVOICE_IMAP_PASSWORD",
        help="Umgebungsvariable mit dem IMAP-Passwort (environment variable holding the password)",
    )
    mail_parser.add_argument("--imap-folder", default="INBOX", help="IMAP-Ordner (Standard: INBOX)")


def handle(command: BaseCommand, options: dict[str, Any]) -> bool:
    """Run the subcommand if it is one of ours; False lets the command handle its own."""
    if options["action"] == "rules":
        if options["rules_action"] == "install":
            _install(command, options)
        else:
            _show(command, options)
        return True
    if options["action"] == "mail":
        _mail(command, options)
        return True
    return False


def _install(command: BaseCommand, options: dict[str, Any]) -> None:
    target = options["target"] or Path(settings.EINVOICE_RULES_DIR)
    manifest = rules.load_manifest()
    downloaded = None
    try:
        if options["pinned"]:
            url = options["url"] or manifest.url
            command.stdout.write(f"Lade {manifest.id} von {url} …")
            downloaded = source = rules.download(url)
        else:
            source = options["source"]
        installed = rules.install(source, target=target, manifest=manifest)
    except rules.RulesError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        if downloaded is not None:
            downloaded.unlink(missing_ok=True)
    command.stdout.write(
        f"Installiert: {installed.version} ({installed.manifest_id}), {installed.files} Dateien geprüft, "
        f"in {installed.target}."
    )
    if installed.ignored:
        command.stdout.write(f"Nicht installiert (nicht im Manifest): {len(installed.ignored)} Dateien.")
    if Path(settings.EINVOICE_STANDARDS_DIR).resolve() != installed.target.resolve():
        command.stdout.write(
            f"Hinweis: aktiv ist {settings.EINVOICE_STANDARDS_DIR}; setzen Sie EINVOICE_STANDARDS_DIR "
            f"auf {installed.target}, um dieses Regelwerk zu verwenden."
        )


def _show(command: BaseCommand, options: dict[str, Any]) -> None:
    info = rules.active_rules(Path(settings.EINVOICE_STANDARDS_DIR), check=options["verify"])
    if info["version"] is None:
        raise CommandError(
            f"Kein Regelwerk in {info['directory']}. "
            "Installieren mit: rathaus einvoice rules install --from ZIP"
        )
    command.stdout.write(f"Aktives Regelwerk: {info['version']}")
    command.stdout.write(f"Verzeichnis: {info['directory']}")
    installed = info.get("installed")
    if installed:
        command.stdout.write(f"Installiert am {installed['installed_at']} aus {installed['source']}")
    else:
        command.stdout.write("Nicht mit „rules install“ installiert (Entwicklungskopie).")
    command.stdout.write(f"Festgelegte Version (Manifest): {info['pinned']}")
    if "verified" in info:
        if not info["verified"]:
            raise CommandError(info["problem"])
        command.stdout.write("Prüfung: alle Dateien stimmen mit dem Manifest überein.")


def _mail(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["stdin"]:
        raw = sys.stdin.buffer.read(mail.MAX_MESSAGE_BYTES + 1)
        try:
            outcome = mail.process_message(raw)
        except Exception as exc:  # an MTA pipe must get a temporary failure, never a lost message
            command.stderr.write(f"Interner Fehler, die Nachricht bleibt beim Mailserver: {exc}")
            sys.exit(EX_TEMPFAIL)
        command.stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False))
        return
    if options["imap"]:
        _imap(command, options)
        return
    maildir = options["maildir"]
    if not (maildir / "new").is_dir():
        raise CommandError(f"{maildir} ist kein Maildir (new/ fehlt).")
    with Progress(transient=True) as progress:
        task = progress.add_task("E-Mails", total=None)
        summary = mail.process_maildir(maildir, advance=lambda: progress.advance(task))
    _print_summary(command, summary)


def _print_summary(command: BaseCommand, summary: mail.MaildirSummary) -> None:
    command.stdout.write(
        f"{summary.messages} Nachrichten verarbeitet – Rechnungen angenommen: {summary.accepted}, abgelehnt: "
        f"{summary.rejected}; Nachrichten ohne verwertbare Rechnung: {summary.refused}; mit internem Fehler "
        f"(bleiben in new/): {summary.failed}."
    )
    if summary.failed:
        sys.exit(1)


def _imap(command: BaseCommand, options: dict[str, Any]) -> None:
    import imaplib
    import os

    password = os.environ.get(options["imap_password_env"], "")
    if not options["imap_user"] or not password:
        raise CommandError(f"--imap-user und das Passwort in ${options['imap_password_env']} sind nötig.")
    try:
        client = imaplib.IMAP4_SSL(options["imap"], timeout=60)
        client.login(options["imap_user"], password)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise CommandError(f"IMAP-Anmeldung bei {options['imap']} fehlgeschlagen: {exc}") from exc
    try:
        summary = mail.process_imap(client, folder=options["imap_folder"])
    finally:
        client.logout()
    _print_summary(command, summary)
