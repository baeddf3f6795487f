"""Money is integer cents inside; only the edges (TOML in, JSON/CSV/HTML out) see decimals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class MoneyError(ValueError):
    pass


def to_cents(value: object) -> int:
    """Parse a TOML number (or numeric string) with at most two decimals into integer cents.

    Floats are read through their shortest decimal representation (``repr``), which is exactly what
    the author typed in the TOML file, so ``409161.91`` becomes ``40916191`` with no rounding.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MoneyError(f"expected an amount such as 1250 or 1250.50, got {value!r}")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"expected an amount such as 1250 or 1250.50, got {value!r}") from None
    if not amount.is_finite():
        raise MoneyError(f"expected a finite amount, got {value!r}")
    if amount < 0:
        raise MoneyError(f"amounts cannot be negative, got {value!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise MoneyError(f"amounts have at most two decimals (cents), got {value!r}")
    if cents > 10**15:
        raise MoneyError(f"amount {value!r} is implausibly large (at most 10,000,000,000,000)")
    return int(cents)


def cents_to_number(cents: int) -> int | float:
    """The JSON number for an amount: at most two decimals, exact (``repr`` of cents/100 is)."""
    return cents / 100


def format_money(cents: int, currency: str = "") -> str:
    """``1234567`` -> ``12,345.67 EUR`` for reports and messages."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    text = f"{sign}{whole:,}.{frac:02d}"
    return f"{text} {currency}".rstrip()
