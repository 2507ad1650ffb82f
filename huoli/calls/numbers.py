"""Telephone numbers a family types for a call-back: checked and written the one way the
trunk dials them (E.164, "+358401234567").

Only the shape is checked (Finland's national form and international numbers, 7 to 15
digits; ITU-T E.164): whether a number is in use only the call can tell, and the counsellor
marks a wrong one."""

from __future__ import annotations

import re

# What people put between digits: spaces (also no-break), dashes, dots, slashes, brackets.
_SEPARATORS = re.compile(r"[\s\-./()\u00a0\u2010-\u2015]")
COUNTRY_FINLAND = "358"
# The digits a phone set to Arabic, Persian or Sorani types (Arabic-Indic and extended
# Arabic-Indic): the same number, written in ASCII before it is checked.
_NATIVE_DIGITS = str.maketrans(
    {**{0x0660 + n: str(n) for n in range(10)}, **{0x06F0 + n: str(n) for n in range(10)}}
)


def normalised(text: str) -> str | None:
    """The number as +<country><number>, or None when it cannot be a telephone number.

    "040 123 4567" → "+358401234567" (a leading 0 is Finland's trunk prefix);
    "00358 40 1234567" and "+358 (0)40 1234567" → "+358401234567"."""
    compact = _SEPARATORS.sub("", (text or "").translate(_NATIVE_DIGITS))
    compact = compact.replace("+358(0)", "+358").replace("+3580", "+358")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0"):
        compact = "+" + COUNTRY_FINLAND + compact[1:]
    if not compact.startswith("+"):
        return None
    digits = compact[1:]
    if not (digits.isascii() and digits.isdigit()) or not 7 <= len(digits) <= 15:
        return None
    if digits.startswith("0"):
        return None
    return "+" + digits


def shown(number: str) -> str:
    """The number grouped for reading aloud: "+358 40 123 4567" for Finnish mobiles, else
    the country code apart and the rest in threes."""
    if number.startswith("+" + COUNTRY_FINLAND):
        rest = number[4:]
        return f"+358 {rest[:2]} {rest[2:5]} {rest[5:]}".strip()
    digits = number[1:]
    head, rest = digits[:3], digits[3:]
    return "+" + head + " " + " ".join(rest[i : i + 3] for i in range(0, len(rest), 3))
