"""Helpers shared by the management commands."""

import pytest
from django.core.management import CommandError, call_command

from rathaus.kernel.cli import positive


def test_positive_accepts_whole_numbers_from_one():
    assert positive("1") == 1
    assert positive("250") == 250


@pytest.mark.parametrize("text", ["0", "-3", "zwei", "1.5"])
def test_positive_refuses_zero_negative_and_non_integers(text):
    with pytest.raises(ValueError):
        positive(text)


@pytest.mark.parametrize(
    "arguments",
    [("demo", "--residents", "0"), ("demo", "--batch-size", "-1"), ("efile_demo", "--cases", "0")],
)
def test_demo_commands_refuse_counts_below_one_before_touching_anything(arguments):
    with pytest.raises(CommandError, match="invalid positive value"):
        call_command(*arguments)
