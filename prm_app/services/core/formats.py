"""How an amount of money is written, everywhere (pages, timelines, notifications, mail)."""

from decimal import Decimal


def money(amount: object, currency: object = "") -> str:
    """ "USD 150,000.00": the currency code, thousands separators and two decimals (an amount
    kept as text in the trail too; something that is no number is shown as it is)."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        return f"{currency or ''} {value:,.2f}".strip()
    except ArithmeticError:
        return str(amount)
