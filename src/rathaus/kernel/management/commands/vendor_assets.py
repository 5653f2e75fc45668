"""Copy the front-end assets installed by npm into ``static/vendor``.

Only the files the pages use are copied (KERN UX CSS, fonts and icons; htmx; axe-core for
the accessibility tests), so ``collectstatic`` and the repository stay small.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# (source below node_modules, target below static/vendor)
ASSETS: list[tuple[str, str]] = [
    ("@kern-ux/native/dist/kern.min.css", "kern/kern.min.css"),
    ("@kern-ux/native/dist/kern-utilities.min.css", "kern/kern-utilities.min.css"),
    ("@kern-ux/native/dist/kern-grid.min.css", "kern/kern-grid.min.css"),
    ("@kern-ux/native/dist/fonts", "kern/fonts"),
    ("@kern-ux/native/LICENSE.md", "kern/LICENSE.md"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org/LICENSE", "htmx/LICENSE"),
    ("axe-core/axe.min.js", "axe-core/axe.min.js"),
    ("axe-core/LICENSE", "axe-core/LICENSE"),
]


class Command(BaseCommand):
    help = "Copy KERN UX, htmx and axe-core from node_modules into src/rathaus/static/vendor."

    def add_arguments(self, parser):
        parser.add_argument(
            "--node-modules",
            default=str(settings.PROJECT_DIR / "node_modules"),
            help="Where npm installed the packages (default: node_modules in the checkout).",
        )

    def handle(self, *args, node_modules: str, **options):
        source_root = Path(node_modules)
        target_root = settings.SRC_DIR / "static" / "vendor"
        copied = 0
        for source, target in ASSETS:
            src = source_root / source
            dst = target_root / target
            if not src.exists():
                raise CommandError(f"{src} is missing: run `npm ci` first (make install does).")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dst)
            copied += 1
        self.stdout.write(f"Copied {copied} asset(s) to {target_root}.")
