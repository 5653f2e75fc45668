"""GiroCode: the EPC QR code for SEPA credit transfers (EPC069-12, version 002).

The payload is plain text, one field per line (LF): service tag ``BCD``, version ``002``,
character set ``1`` (UTF-8), identification ``SCT``, BIC (optional in version 002 within
the EEA), name of the beneficiary (max. 70), IBAN, amount ``EUR`` + amount (0.01 to
999999999.99, max. two decimals), purpose code (4, optional), structured creditor
reference (max. 35) *or* unstructured remittance (max. 140), beneficiary-to-originator
information (max. 70). The whole payload must not exceed 331 bytes.

The Kassenzeichen goes into the unstructured remittance: German cash offices match on it
(the structured field is reserved for ISO 11649 RF references).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["GiroCodeError", "epc_payload", "iban_valid"]

MAX_PAYLOAD_BYTES = 331


class GiroCodeError(ValueError):
    """The data cannot be put into a GiroCode; German message."""


def iban_valid(iban: str) -> bool:
    """ISO 13616 check: country code, two check digits, mod 97 of the rearranged number is 1."""
    value = iban.replace(" ", "").upper()
    if (
        not 15 <= len(value) <= 34
        or not value[:2].isalpha()
        or not value[2:4].isdigit()
        or not value.isalnum()
    ):
        return False
    if value.startswith("DE") and len(value) != 22:
        return False
    rearranged = value[4:] + value[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def epc_payload(*, name: str, iban: str, amount: Decimal, remittance: str, bic: str = "") -> str:
    """The EPC QR payload for a transfer of ``amount`` euros to ``iban`` with ``remittance``."""
    name = " ".join(name.split())
    iban_clean = iban.replace(" ", "").upper()
    if not name or len(name) > 70:
        raise GiroCodeError("Der Name des Zahlungsempfängers muss 1 bis 70 Zeichen lang sein.")
    if not iban_valid(iban_clean):
        raise GiroCodeError(f"„{iban}“ ist keine gültige IBAN.")
    if not isinstance(amount, Decimal) or amount != amount.quantize(Decimal("0.01")):
        raise GiroCodeError("Der Betrag muss in ganzen Cent angegeben sein.")
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise GiroCodeError("Der Betrag muss zwischen 0,01 und 999.999.999,99 EUR liegen.")
    remittance = " ".join(remittance.split())
    if len(remittance) > 140:
        raise GiroCodeError("Der Verwendungszweck darf höchstens 140 Zeichen lang sein.")
    if bic and not (len(bic) in (8, 11) and bic.isalnum()):
        raise GiroCodeError(f"„{bic}“ ist keine gültige BIC.")
    lines = ["BCD", "002", "1", "SCT", bic.upper(), name, iban_clean, f"EUR{amount:.2f}", "", "", remittance]
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise GiroCodeError("Die Daten sind für einen GiroCode zu lang.")
    return payload
