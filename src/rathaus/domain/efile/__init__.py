"""Pure rules of the electronic file (E-Akte): file plan, Aktenzeichen, retention.

Modelled on the "Organisationskonzept elektronische Verwaltungsarbeit" (OKeVA, the
successor of DOMEA): a hierarchical file plan (Aktenplan) classifies files (Akten), each
file holds cases (Vorgänge), each case holds documents.
"""
