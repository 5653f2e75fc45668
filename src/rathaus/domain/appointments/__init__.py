"""Pure scheduling rules of the Online-Terminvergabe.

``schedule`` turns an office's planning (opening hours, exceptions, Bremen's public
holidays, counters, slot length) into bookable time units, says how many consecutive units
a visit with one or more services needs, and when a day's slots are released. Everything
works on local wall-clock times (Europe/Berlin); the caller converts to aware datetimes.
"""
