"""Online-Terminvergabe: appointment booking for every office, safe under a rush and against bots.

Public surface for other apps: ``rathaus.appointments.services`` and
``rathaus.appointments.selectors``. Everything else is private. Scheduling rules (opening
hours, holidays, durations, release windows) live in ``rathaus.domain.appointments``.
"""
