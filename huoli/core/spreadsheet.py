"""Cells of the CSV files we write: a spreadsheet must never run one as a formula.

A text starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe
(OWASP's "CSV injection" advice); the directory's import takes it off again. Genuine
numbers (int, float) are written as numbers: a spreadsheet reads -3 as minus three, not as a
formula, and nothing we export is a number typed by a person. A text that merely looks like a
number ("-3", "+358 9 …") is still a text and is neutralised.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value to hand to ``csv.writer`` for one cell."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def neutralised_row(values) -> list:
    return [neutralise(value) for value in values]


def unneutralise(text: str) -> str:
    """The text as it was before ``neutralise`` (only a prefix that it added comes off)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
