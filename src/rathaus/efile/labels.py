"""German labels for the E-Akte's internal codes: audit actions and where a case came from.

People never see ``efile.case_created`` or ``einvoice``: history pages show
``action_label(entry.action)`` (registered in ``apps.EfileConfig.ready``), case pages the
label of ``Case.source``. Every action the E-Akte records is listed here (its archive part's in
``archive/labels.py``); ``tests/test_labels.py`` checks the source for actions without a label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "efile.file_plan_entry_created": _("Aktenplaneintrag angelegt"),
    "efile.file_created": _("Akte angelegt"),
    "efile.file_closed": _("Akte geschlossen"),
    "efile.case_created": _("Vorgang angelegt"),
    "efile.case_confidentiality_set": _("Vertraulichkeit geändert"),
    "efile.case_assigned": _("Bearbeitung zugewiesen"),
    "efile.case_forwarded": _("An andere Dienststelle abgegeben"),
    "efile.case_resubmission_set": _("Wiedervorlage gesetzt"),
    "efile.case_closed": _("Vorgang abgeschlossen"),
    "efile.case_reopened": _("Vorgang wieder geöffnet"),
    "efile.case_note_added": _("Notiz hinzugefügt"),
    "efile.document_added": _("Dokument hinzugefügt"),
    "efile.document_version_added": _("Neue Dokumentversion"),
    "efile.document_downloaded": _("Dokument heruntergeladen"),
    "efile.document_viewed": _("Dokument angesehen"),
    "efile.document_ocr_done": _("Text erkannt"),
    "efile.document_ocr_failed": _("Texterkennung fehlgeschlagen"),
    "efile.document_ocr_retried": _("Texterkennung neu gestartet"),
    "efile.bescheid_issued": _("Bescheid erstellt"),
    "efile.demo_cases_loaded": _("Demovorgänge geladen"),
    "efile.resubmission_reminder_sent": _("Erinnerung an Wiedervorlagen versandt"),
    "efile.file_purged": _("Akte gelöscht"),
}

# Case.source: the channel a case came in by. A source not listed (an API client may send its
# own) is shown as it was sent.
SOURCE_LABELS = {
    "": _("Von Hand angelegt"),
    "api": _("Fachverfahren (API)"),
    "demo": _("Demodaten"),
    "eforms": _("Online-Antrag"),
    "einvoice": _("E-Rechnung"),
    "payments": _("Bestellung über die Kasse"),
    "scan": _("Scan-Posteingang"),
    "xdomea": _("Übernahme (xdomea)"),
}


def source_label(source: str) -> str:
    label = SOURCE_LABELS.get(source)
    return str(label) if label is not None else source
