"""kernel.money is the domain's money module for apps."""

from decimal import Decimal

from rathaus.domain import money as domain_money
from rathaus.kernel import money


def test_kernel_money_reexports_the_domain_functions():
    """Apps and domain code share one implementation."""
    assert money.eur is domain_money.eur
    assert money.format_eur(Decimal("1234.5")) == "1.234,50 €"
