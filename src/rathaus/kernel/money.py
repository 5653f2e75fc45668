"""Euro helpers for apps: re-exports ``rathaus.domain.money`` (Decimal only, never float)."""

from rathaus.domain.money import (
    CENT,
    EURO,
    AmountSyntaxError,
    eur,
    format_eur,
    parse_eur,
    quantize_cents,
    round_down_to_euro,
    split_evenly,
)

__all__ = [
    "CENT",
    "EURO",
    "AmountSyntaxError",
    "eur",
    "format_eur",
    "parse_eur",
    "quantize_cents",
    "round_down_to_euro",
    "split_evenly",
]
