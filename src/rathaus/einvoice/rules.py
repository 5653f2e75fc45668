"""Installing the official KoSIT rule set (``rathaus einvoice rules install``) and showing the active one.

The pinned release is described by ``data/rules-manifest.json``: its ID, the version string its
``scenarios.xml`` declares, the documented download URL and the SHA-256 of every file of the
configuration. An installation is accepted only if every file of the manifest is present with exactly
that hash; files the manifest does not know are not installed. The hashes are per file rather than of
the zip so that the same check works for the release zip, an unpacked copy and a zip re-packed by an
operator — what is verified is what is validated with.

Installation is atomic per directory: the files are written to a staging directory beside the target,
checked, and then swapped in by renaming; a running process keeps its compiled rule set until it is
restarted (``rule_set`` caches per process). The installation is recorded in ``installed.json``.

Public surface: ``load_manifest``, ``install``, ``download``, ``active_rules``, ``RulesError``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.utils import timezone

from rathaus.domain.einvoice import RuleSet, rule_set

logger = logging.getLogger(__name__)

MANIFEST_PATH = Path(__file__).resolve().parent / "data" / "rules-manifest.json"
CONFIGURATION = "kosit-validator-configuration"
RECORD = "installed.json"

# A release zip is about 0.5 MB packed and 5 MB unpacked; far larger means something else.
MAX_MEMBERS = 2000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


class RulesError(Exception):
    """The rule set cannot be installed (missing, damaged or not the pinned release)."""


@dataclass(frozen=True)
class Manifest:
    id: str
    version: str
    url: str
    files: dict[str, str]


@dataclass(frozen=True)
class Installed:
    target: Path
    manifest_id: str
    version: str
    files: int
    ignored: tuple[str, ...]


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Manifest(id=data["id"], version=data["version"], url=data["url"], files=dict(data["files"]))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_relative(name: str) -> str | None:
    """The member name as a relative POSIX path, or None if it would leave the target."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return str(path)


def _files_from_zip(source: Path, manifest: Manifest) -> tuple[dict[str, bytes], list[str]]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RulesError(f"{source} ist keine lesbare ZIP-Datei ({exc}).") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise RulesError(f"Das Archiv hat {len(members)} Einträge; ein Regelwerk hat etwa 100.")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise RulesError("Das Archiv ist entpackt größer als 100 MB; das ist kein KoSIT-Regelwerk.")
        # The configuration's root is the folder holding scenarios.xml (the zip may add a top folder).
        roots = [m.filename[: -len("scenarios.xml")] for m in members if m.filename.endswith("scenarios.xml")]
        roots = [r for r in roots if r == "" or r.endswith("/")]
        if not roots:
            raise RulesError("Im Archiv fehlt scenarios.xml; es ist keine KoSIT-Prüfkonfiguration.")
        prefix = min(roots, key=len)
        files: dict[str, bytes] = {}
        ignored: list[str] = []
        for member in members:
            if member.is_dir():
                continue
            if stat.S_ISLNK(member.external_attr >> 16):
                raise RulesError(f"Das Archiv enthält einen symbolischen Link ({member.filename}).")
            relative = _safe_relative(member.filename)
            if relative is None:
                raise RulesError(f"Unzulässiger Pfad im Archiv: {member.filename}")
            if not member.filename.startswith(prefix):
                ignored.append(relative)
                continue
            name = member.filename[len(prefix) :]
            if name not in manifest.files:
                ignored.append(name)
                continue
            with archive.open(member) as stream:
                data = stream.read(MAX_UNPACKED_BYTES + 1)
            if len(data) > MAX_UNPACKED_BYTES:
                raise RulesError(f"{name} ist zu groß.")
            files[name] = data
    return files, ignored


def _files_from_dir(source: Path, manifest: Manifest) -> tuple[dict[str, bytes], list[str]]:
    root = source / CONFIGURATION if (source / CONFIGURATION / "scenarios.xml").is_file() else source
    if not (root / "scenarios.xml").is_file():
        raise RulesError(f"In {source} fehlt scenarios.xml; es ist keine KoSIT-Prüfkonfiguration.")
    files: dict[str, bytes] = {}
    ignored: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise RulesError(
                f"{path} ist ein symbolischer Link; das Regelwerk muss aus echten Dateien bestehen."
            )
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        if name not in manifest.files:
            ignored.append(name)
            continue
        files[name] = path.read_bytes()
    return files, ignored


def verify(files: dict[str, bytes], manifest: Manifest) -> None:
    """Raise ``RulesError`` unless ``files`` are exactly the manifest's files with its hashes."""
    missing = sorted(set(manifest.files) - set(files))
    wrong = sorted(name for name, data in files.items() if _sha256(data) != manifest.files[name])
    problems = [f"fehlt: {name}" for name in missing] + [f"SHA-256 weicht ab: {name}" for name in wrong]
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; … und {len(problems) - 10} weitere" if len(problems) > 10 else ""
        )
        raise RulesError(
            f"Das Regelwerk stimmt nicht mit der festgelegten Version {manifest.id} überein ({shown}). "
            "Es wurde nichts installiert."
        )


def install(source: Path, *, target: Path, manifest: Manifest | None = None) -> Installed:
    """Verify the rule set in ``source`` (directory or zip) against the manifest; install it into ``target``.

    ``target/kosit-validator-configuration`` is replaced only after every file was verified and the
    configuration could be read; on any error nothing in ``target`` changes.
    """
    manifest = manifest or load_manifest()
    source = Path(source)
    if source.is_dir():
        files, ignored = _files_from_dir(source, manifest)
    elif source.is_file():
        files, ignored = _files_from_zip(source, manifest)
    else:
        raise RulesError(f"{source} gibt es nicht.")
    verify(files, manifest)
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target))
    try:
        configuration = staging / CONFIGURATION
        for name, data in files.items():
            path = configuration / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        version = RuleSet(configuration).version
        if version != manifest.version:
            raise RulesError(
                f"scenarios.xml nennt die Version „{version}“, erwartet ist „{manifest.version}“."
            )
        final = target / CONFIGURATION
        old = target / f".old-{os.getpid()}-{staging.name}"
        if final.exists():
            final.rename(old)
        configuration.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        record = {
            "manifest": manifest.id,
            "version": version,
            "source": str(source),
            "installed_at": timezone.now().isoformat(),
            "files": len(files),
        }
        (target / RECORD).write_text(
            json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Installed(target, manifest.id, version, len(files), tuple(ignored))


def download(url: str, *, timeout: float = 30.0) -> Path:
    """Fetch the release zip from ``url`` into a temporary file (the caller deletes it)."""
    handle, name = tempfile.mkstemp(suffix=".zip", prefix="kosit-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https URL from the manifest, or an operator's
            size = 0
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise RulesError(f"Der Download von {url} ist größer als 20 MB.")
                out.write(chunk)
    except RulesError:
        path.unlink(missing_ok=True)
        raise
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise RulesError(
            f"Das Regelwerk konnte nicht von {url} geladen werden ({exc}). Ohne Internetzugang: Release-ZIP "
            "anderswo laden und mit --from DATEI installieren."
        ) from exc
    return path


def active_rules(standards_dir: Path, *, check: bool = False) -> dict[str, Any]:
    """What is active in ``standards_dir``: version, installation record, and (``check``) the hash check."""
    configuration = Path(standards_dir) / CONFIGURATION
    info: dict[str, Any] = {"directory": str(configuration)}
    try:
        info["version"] = RuleSet(configuration).version
    except FileNotFoundError:
        info["version"] = None
        return info
    record = Path(standards_dir) / RECORD
    info["installed"] = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None
    manifest = load_manifest()
    info["pinned"] = manifest.id
    if check:
        try:
            files, _ = _files_from_dir(configuration, manifest)
            verify(files, manifest)
            info["verified"] = True
        except RulesError as exc:
            info["verified"] = False
            info["problem"] = str(exc)
    return info


def warm_up() -> bool:
    """Compile the active rule set in this process now, so the first invoice does not wait for it.

    Called once per web worker when it starts (``rathaus.config.gunicorn``); the compiled stylesheets
    then serve every request of that worker. False (and a log line) where no rule set is installed:
    the worker still starts, and invoices are refused with the usual message.
    """
    try:
        rule_set(Path(settings.EINVOICE_STANDARDS_DIR)).warm_up()
    except (FileNotFoundError, OSError) as exc:
        logger.warning("E-Rechnung: Regelwerk nicht vorkompiliert: %s", exc)
        return False
    return True
