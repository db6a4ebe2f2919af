"""Take ID numbers and phone numbers out of text bound for a log (DESIGN.md §6: no ID
number or phone in a log line).

Pure functions. What they catch is deliberately wider than what validates: a mistyped
ID number is still somebody's ID number. Full-width digits (and their percent-encoded
UTF-8 form in a logged URL) are read as digits first, since the registry accepts them.
Other long digit runs (village codes are 12 digits, visit numbers are the hospitals')
are left alone: they are not personal and an operator needs them to trace a request.
"""

import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")
# U+FF10..FF19 in a percent-encoded URL: %EF%BC%90..%EF%BC%99.
_ENCODED_FULLWIDTH = re.compile(r"%EF%BC%9([0-9])", re.IGNORECASE)

# Standalone: not glued to other digits, so part of a longer number is not taken.
_ID_18 = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{6}([0-9]{3})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_personal_numbers(text: str) -> str:
    """`430521198802141238` → `430521********1238`, `13812345678` → `138****5678`."""
    if not text:
        return text
    text = _ENCODED_FULLWIDTH.sub(r"\1", text).translate(_FULLWIDTH)
    text = _ID_18.sub(r"\1********\2", text)
    text = _ID_15.sub(r"\1******\2", text)
    return _MOBILE.sub(r"\1****\2", text)
