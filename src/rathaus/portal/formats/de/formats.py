"""German formats beyond Django's own (``django/conf/locale/de/formats.py`` stays the base).

``WEEKDAY_DATE_FORMAT`` and ``WEEKDAY_DATETIME_FORMAT`` are Rathaus' own names: templates use
``{{ day|date:"WEEKDAY_DATE_FORMAT" }}`` ("Mittwoch, 2. Dezember 2026"), and every language
in ``settings.LANGUAGES`` defines them (Django looks any name up in the format modules).
"""

# Django's German DATETIME_FORMAT has no comma ("2. Dezember 2026 09:30"); with one it reads
# like the English "2 December 2026, 09:30".
DATETIME_FORMAT = "j. F Y, H:i"
WEEKDAY_DATE_FORMAT = "l, j. F Y"
WEEKDAY_DATETIME_FORMAT = "l, j. F Y, H:i"
