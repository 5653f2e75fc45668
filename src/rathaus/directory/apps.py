from pathlib import Path

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rathaus.directory"
    label = "directory"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Verzeichnis (Dienststellen und Leistungen)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from rathaus.kernel import search

        from . import services

        # One source rebuilds all three kinds; the synonyms serve the whole catalogue.
        synonyms = Path(__file__).resolve().parent / "data" / "synonyms.txt"
        register = search.register_source
        register(search.SearchSource("service", _("Leistungen"), services.search_reindex, synonyms, order=10))
        register(search.SearchSource("life_situation", _("Lebenslagen"), order=20))
        register(search.SearchSource("office", _("Dienststellen"), order=30))
