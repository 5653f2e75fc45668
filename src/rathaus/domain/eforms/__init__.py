"""Online services (OZG): form definitions as data and their server-side validation.

A form is a versioned definition modelled on the FIM data fields (Föderales
Informationsmanagement, Baustein Datenfelder): fields (Datenfelder) with a type, a FIM
identifier where one exists, code lists (Codelisten), rules (Regeln) and conditions; groups
(Datenfeldgruppen) that may repeat; steps that a citizen walks through before a summary page.

- ``definition``: the frozen dataclasses of a loaded form.
- ``loader``: reads a definition written in YAML and refuses an invalid one with the line of the
  first problem (``DefinitionError``).
- ``values``: the checks of single values (postcode, IBAN, tax number, tax ID, dates).
- ``validation``: validates what a citizen typed into one step, drops what a hidden or unknown
  field carries, and evaluates conditions on the cleaned values.
- ``xgewerbeanzeige``: a submitted Gewerbeanmeldung as an XGewerbeanzeige 2.2 message.

Pure Python: no Django, no I/O except reading the text the caller passes in.
"""
