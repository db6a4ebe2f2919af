"""GB 11643 resident ID numbers (公民身份号码): validation, parsing and masking.

Pure functions. The check character is ISO 7064 MOD 11-2 (python-stdnum computes it).
We deliberately do not use stdnum's full `validate`: it refuses a number whose address
code was not in force in the birth year, but a number keeps the code in force when it
was *issued* (DESIGN.md §3), so such numbers are valid.

One rule for the characters (DESIGN.md §3): spaces are dropped, full-width digits and a
full-width X are read as their ASCII forms (an input method's full-width mode types
them), a lowercase x is X, and any other non-ASCII character is refused. Python's
isdigit() and int() take superscripts and Arabic-Indic digits for digits, so validation
never relies on them: a number passed by parse() is 18 ASCII characters, and so is its
blind index's input, whichever way it was typed.

A 15-digit number (issued before 1999) is never stored; a search by it finds the holder
of its 18-digit upgrade (`search_number`).
"""

import datetime
import re
from dataclasses import dataclass

from stdnum.cn import ric

from huimin.core.dates import age_on

# First two digits of GB/T 2260 province-level codes (incl. 71 台湾, 81 香港, 82 澳门).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

SEX_MALE = "1"
SEX_FEMALE = "2"


class IDNumberError(ValueError):
    """Carries a machine-readable code and a Chinese reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedID:
    number: str
    address_code: str
    birth_date: datetime.date
    sex: str  # "1" male, "2" female (GB/T 2261.1)


# Full-width digits ０-９ and Ｘ/ｘ → ASCII; nothing else is mapped.
_FULL_WIDTH = str.maketrans(
    {chr(0xFF10 + d): str(d) for d in range(10)} | {"\uff38": "X", "\uff58": "X"}
)
_ASCII_LOWER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FORMAT = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_LEGACY = re.compile(r"[0-9]{15}", re.ASCII)
NON_ASCII_REASON = "身份证号码只能由数字和X组成（全角数字按半角处理，其他字符不接受）"


def normalise(raw: str) -> str:
    """Drop spaces, read full-width digits and X as ASCII, upper-case ASCII letters (a
    lowercase x is X). Other characters are left as they are, for parse() to refuse:
    str.upper() would turn some non-ASCII letters into ASCII ones (ſ → S)."""
    return "".join(str(raw).split()).translate(_FULL_WIDTH).translate(_ASCII_LOWER)


def parse(raw: str, *, today: datetime.date | None = None) -> ParsedID:
    number = normalise(raw)
    if not number.isascii():
        raise IDNumberError("id_number_format", NON_ASCII_REASON)
    if len(number) != 18:
        raise IDNumberError("id_number_length", "身份证号码应为18位")
    if not _FORMAT.fullmatch(number):
        raise IDNumberError("id_number_format", "身份证号码前17位须为数字，末位为数字或X")
    if number[:2] not in PROVINCE_PREFIXES:
        raise IDNumberError("id_number_address", "身份证号码的地址码不是有效的省级代码")
    if ric.calc_check_digit(number) != number[17]:
        raise IDNumberError("id_number_checksum", "身份证号码校验码错误")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IDNumberError("id_number_birth_date", "身份证号码中的出生日期无效") from None
    today = today or datetime.date.today()
    if birth > today:
        raise IDNumberError("id_number_birth_future", "身份证号码中的出生日期晚于今天")
    if birth.year < 1880:
        raise IDNumberError("id_number_birth_date", "身份证号码中的出生日期无效")
    sex = SEX_MALE if int(number[16]) % 2 == 1 else SEX_FEMALE
    return ParsedID(number=number, address_code=number[:6], birth_date=birth, sex=sex)


def upgrade_legacy(raw: str) -> str | None:
    """The 18-digit upgrade of a 15-digit number (GB 11643-1999: "19" inserted before
    the two-digit birth year, and the check character appended), or None when `raw` is
    not 15 digits."""
    number = normalise(raw)
    if not _LEGACY.fullmatch(number):
        return None
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def search_number(raw: str, *, today: datetime.date | None = None) -> ParsedID:
    """parse() for a search: a 15-digit number is read as its 18-digit upgrade. What is
    stored always comes from parse(), so a 15-digit number is never stored."""
    upgraded = upgrade_legacy(raw)
    if upgraded is not None:
        try:
            return parse(upgraded, today=today)
        except IDNumberError as exc:
            raise IDNumberError(exc.code, "15位身份证号码无效：" + exc.message) from None
    return parse(raw, today=today)


def looks_like_id_number(raw: str) -> bool:
    """Whether a search box's text is meant as an ID number: 18 characters, the first 17
    digits of any script (so that a mistyped one is explained, not searched as a name),
    or 15 ASCII digits (a legacy number; household numbers have 16)."""
    q = normalise(raw)
    return (len(q) == 18 and q[:17].isdigit()) or bool(_LEGACY.fullmatch(q))


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except IDNumberError:
        return False
    return True


def mask(number: str) -> str:
    """430521********1234: address code and last four shown, the rest hidden."""
    number = normalise(number)
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def age_beside_mask(birth: datetime.date, on: datetime.date) -> int:
    """What stands in for the birth date wherever a masked number is shown.

    The eight digits a mask hides are the birth date, so a page or an API answer that
    shows a masked number shows the age in whole years on `on`, never the birth date
    (DESIGN §6): one rule, applied through this helper by every page and schema.
    """
    return age_on(birth, on)


def make(address_code: str, birth: datetime.date, sequence: int, sex: str) -> str:
    """Build a valid number (for synthetic data): sequence 0-999 adjusted to the sex parity."""
    seq = sequence % 1000
    odd = seq % 2 == 1
    if (sex == SEX_MALE) != odd:
        seq = seq + 1 if seq < 999 else seq - 1
    body = f"{address_code}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


# The social-security card's own number (社会保障卡卡号), printed on the card beside the
# social-security number (which is the ID number): nine letters and digits. Counters
# key it in or read it from the card when the patient has no ID card at hand.
SS_CARD_LENGTH = 9


def parse_ss_card(raw: str) -> str:
    """The card number, upper-cased, or IDNumberError with the reason."""
    card = normalise(raw)
    if len(card) != SS_CARD_LENGTH:
        raise IDNumberError("ss_card_length", "社会保障卡卡号应为9位")
    if not (card.isascii() and card.isalnum()) or not any(c.isdigit() for c in card):
        raise IDNumberError("ss_card_format", "社会保障卡卡号应由字母和数字组成")
    return card


def looks_like_ss_card(raw: str) -> bool:
    """A lookup key of card length (an ID number has 18 characters)."""
    return len(normalise(raw)) == SS_CARD_LENGTH


def mask_ss_card(card: str) -> str:
    """A12****78: the first three and last two shown."""
    card = normalise(card)
    return card[:3] + "*" * (len(card) - 5) + card[-2:] if len(card) > 5 else "*" * len(card)


def mask_phone(phone: str) -> str:
    phone = phone.strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
