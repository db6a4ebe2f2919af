"""Take ID numbers and phone numbers out of text bound for a log (DESIGN.md §6: no ID
number or phone in a log line).

Pure functions. What they catch is deliberately wider than what validates: a mistyped
ID number is still somebody's ID number. Full-width digits (and their percent-encoded
UTF-8 form in a logged URL) are read as digits first, since the registry accepts them.
Other long digit runs (village codes are 12 digits, visit numbers are the hospitals')
are left alone: they are not personal and an operator needs them to trace a request.
"""

import datetime
import re

from stdnum.cn import ric

_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")
# U+FF10..FF19 in a percent-encoded URL: %EF%BC%90..%EF%BC%99.
_ENCODED_FULLWIDTH = re.compile(r"%EF%BC%9([0-9])", re.IGNORECASE)

# Standalone: not glued to other digits or letters, so part of a longer number or of a
# code (institution code H13…) is not taken.
_ID_18 = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{5})[0-9]{6}([0-9]{3})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_personal_numbers(text: str) -> str:
    """`430521198802141238` → `430521********1238`, `13812345678` → `138****5678`."""
    if not text:
        return text
    text = _ENCODED_FULLWIDTH.sub(r"\1", text).translate(_FULLWIDTH)
    text = _ID_18.sub(r"\1********\2", text)
    text = _ID_15.sub(r"\1******\2", text)
    return _MOBILE.sub(r"\1****\2", text)


def has_personal_number(text: str) -> bool:
    """Whether text holds an ID number (its check character right, or a 15-digit legacy
    number with a real date) or a mobile number: stricter than masking, since a false
    hit refuses a request (a unified social credit code can be 18 digits too)."""
    if not text:
        return False
    plain = _ENCODED_FULLWIDTH.sub(r"\1", text).translate(_FULLWIDTH).upper()
    for match in _ID_18.finditer(plain):
        number = match.group(0)
        if ric.calc_check_digit(number) == number[17] and _is_date(number[6:14]):
            return True
    if any(_is_date("19" + m.group(0)[6:12]) for m in _ID_15.finditer(plain)):
        return True
    return _MOBILE.search(plain) is not None


def _is_date(yyyymmdd: str) -> bool:
    try:
        datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True
