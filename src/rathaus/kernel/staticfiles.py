"""The static files storage of production: WhiteNoise's compressed manifest storage, and
``collectstatic`` fails when a template or our code names a static file it did not collect.

Without this, a missing file (front-end assets not installed, a typo in ``{% static %}``) went
unnoticed until the page that names it answered 500 ("Missing staticfiles manifest entry").
``rathaus check --deploy`` reports the same (``kernel.checks``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError
from whitenoise.storage import CompressedManifestStaticFilesStorage

from . import checks


class CheckedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, str | None, Any]]:
        yield from super().post_process(*args, **kwargs)
        if kwargs.get("dry_run"):
            return
        missing = checks.missing_static_files(checks.static_file_references(), self.hashed_files)
        if missing:
            listed = "; ".join(
                f"{path} (verwendet in {', '.join(places)})" for path, places in sorted(missing.items())
            )
            # collectstatic raises what is yielded as an exception: a CommandError ends it with exit
            # status 1 and this message instead of a traceback.
            yield (
                next(iter(sorted(missing))),
                None,
                CommandError(
                    f"Statische Dateien fehlen, auf die Vorlagen oder Code verweisen: {listed}. "
                    "Fehlen Dateien unter vendor/: `npm ci` und `rathaus vendor_assets` ausführen."
                ),
            )
