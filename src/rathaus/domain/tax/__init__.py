"""Income tax of pensioners (issue 17): the law as versioned parameters and pure functions.

- ``parameters``: the figures of each tax year with the norm they come from (§ 32a EStG tariff,
  Grundfreibetrag, Pauschbeträge, Solidaritätszuschlag limits, Bremen's church tax rate).
- ``tariff``: income tax by § 32a EStG (basic and splitting tariff), Solidaritätszuschlag
  (§§ 3, 4 SolZG 1995) and church tax.
- ``pensions``: the taxable share of statutory pensions (§ 22 Nr. 1 Satz 3 Buchst. a Doppelbuchst.
  aa EStG) and the Versorgungsfreibetrag with its Zuschlag (§ 19 Abs. 2 EStG), by the year of
  the first payment.
- ``assessment``: a pensioner's (or a couple's) assessment, every figure with its rule.

Amounts are ``Decimal`` euros; rounding follows the norms (taxable income and tariff tax down to
full euros, Solidaritätszuschlag and church tax down to cents). Pure Python: no Django, no I/O.
"""
