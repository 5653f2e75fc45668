"""German labels for the audit actions of Aussonderung and Abgabe.

People never see ``efile_archive.offered``: history pages show ``action_label(entry.action)``,
registered in ``apps.EfileArchiveConfig.ready``. Every action this app records is listed here;
``rathaus/efile/tests/test_labels.py`` checks the source for actions without a label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "efile_archive.offered": _("Dem Staatsarchiv angeboten"),
    "efile_archive.evaluated": _("Vom Staatsarchiv bewertet"),
    "efile_archive.transferred": _("An das Staatsarchiv abgegeben"),
    "efile_archive.receipt_imported": _("Empfangsbestätigung des Staatsarchivs eingelesen"),
    "efile_archive.file_deleted": _("Akte nach Aussonderung gelöscht"),
    "efile_archive.deleted": _("Ausgesonderte Akten gelöscht"),
    "efile_archive.package_imported": _("Aussonderungspaket übernommen"),
    "efile_archive.downloaded": _("Aussonderungsdatei heruntergeladen"),
}
