"""The ``rathaus`` command: Django's management commands with Rathaus settings.

``rathaus worker`` runs background tasks, ``rathaus demo`` builds the demo city,
``rathaus audit verify`` checks the audit chain; ``rathaus help`` lists everything.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rathaus", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
