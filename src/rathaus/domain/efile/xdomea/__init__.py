"""xdomea 3.1.0: the XÖV standard for exchanging and archiving records (Schriftgut).

Implements the subset for Aussonderung (hand-over to the state archive, message group 05 of
"xdomea-Nachrichten-AussonderungDurchfuehren.xsd") and for reading an Abgabe (message 0401):

- ``0501 Aussonderung.Anbieteverzeichnis``: the office offers closed files (metadata only),
- ``0502 Aussonderung.Bewertungsverzeichnis``: the archive answers per file: A (archive) or V (destroy),
- ``0503 Aussonderung.Aussonderung``: the archive-worthy files with their primary documents,
- ``0506 Aussonderung.AussonderungImportBestaetigen``: the archive confirms the take-over,
- ``0401 Abgabe.Abgabe``: files handed to another authority (same structure as 0503; read by the
  import, written by ``write.abgabe_message``).

Pure Python (lxml and the standard library only). ``model`` holds the frozen dataclasses,
``write`` builds messages, ``read`` reads them back from an element parsed elsewhere (the app
parses untrusted XML with ``rathaus.kernel.xmlsafe``), ``package`` reads and writes the ZIP
transport container. Errors are ``XdomeaError`` with a German message.
"""

# The records, codes and the error, as ``model.__all__`` lists them.
from . import model
from .model import *  # noqa: F403

__all__ = model.__all__
