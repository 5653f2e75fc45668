from pathlib import Path

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rathaus.directory"
    label = "directory"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Verzeichnis (Dienststellen und Leistungen)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from rathaus.kernel import audit, search

        from . import services

        # One source rebuilds all three kinds; the synonyms serve the whole catalogue.
        synonyms = Path(__file__).resolve().parent / "data" / "synonyms.txt"
        register = search.register_source
        register(search.SearchSource("service", _("Leistungen"), services.search_reindex, synonyms, order=10))
        register(search.SearchSource("life_situation", _("Lebenslagen"), order=20))
        register(search.SearchSource("office", _("Dienststellen"), order=30))
        audit.register_action_labels(
            {
                "directory.office_created": _("Dienststelle angelegt"),
                "directory.office_updated": _("Dienststelle geändert"),
                "directory.office_imported": _("Dienststelle aus dem Katalog übernommen"),
                "directory.office_hours_changed": _("Öffnungszeiten geändert"),
                "directory.office_message_received": _("Nachricht an die Dienststelle eingegangen"),
                "directory.service_imported": _("Leistung aus dem Katalog übernommen"),
                "directory.life_situation_imported": _("Lebenslage aus dem Katalog übernommen"),
                "directory.catalogue_imported": _("Leistungskatalog eingelesen"),
                "directory.office_edited": _("Dienststelle bearbeitet"),
                "directory.office_reviewed": _("Dienststelle geprüft"),
                "directory.office_published": _("Dienststelle veröffentlicht"),
                "directory.office_withdrawn": _("Dienststelle zurückgezogen"),
                "directory.service_edited": _("Leistung bearbeitet"),
                "directory.service_reviewed": _("Leistung geprüft"),
                "directory.service_published": _("Leistung veröffentlicht"),
                "directory.service_withdrawn": _("Leistung zurückgezogen"),
                "directory.lifesituation_edited": _("Lebenslage bearbeitet"),
                "directory.lifesituation_reviewed": _("Lebenslage geprüft"),
                "directory.lifesituation_published": _("Lebenslage veröffentlicht"),
                "directory.lifesituation_withdrawn": _("Lebenslage zurückgezogen"),
                "officemessage.read": _("Nachricht an die Dienststelle gelesen"),
            }
        )
