"""Text the system stores: what a string may contain, checked once at the edges.

PostgreSQL text cannot hold NUL (0x00): psycopg refuses it with DataError, a 500 unless
refused earlier; SQLite stores it, so one backend would keep what the other cannot. The
other C0 controls (and DEL) are no text anyone types, and break logs, CSV exports and
receipts. Tab and line breaks stay allowed: free text (reasons, notes) may have them.
"""

import re

# C0 controls except tab, LF and CR; and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Any C0 control and DEL: for one-line values (numbers, codes, names of things).
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")

CONTROL_REASON = "不能含有控制字符（如NUL）"
BREAK_REASON = "不能含有换行、制表符等控制字符"


def has_control(text: str) -> bool:
    """A control character free text may not have (NUL and the like; not tab or newline)."""
    return _CONTROL.search(text) is not None


def has_control_or_break(text: str) -> bool:
    return _CONTROL_OR_BREAK.search(text) is not None


def first_control(data, path: str = "") -> str | None:
    """The path of a string (key or value) in parsed JSON that has a control
    character, as the API names fields (`lines[0].name`); None when all are clean.
    Iterative: a deeply nested body must not exhaust the stack here."""
    stack = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if has_control(value):
                return where or "body"
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and has_control(key):
                    return where or "body"
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


def control_problems(values: dict[str, str], *, free_text: tuple[str, ...] = ()) -> dict[str, str]:
    """{name: reason} for each value with a control character. Names in `free_text` may
    have tabs and line breaks; the rest are one line. For callers that take strings from
    places the API's parser does not see (staff pages posting to the same services)."""
    problems = {}
    for name, value in values.items():
        if name in free_text:
            if has_control(value):
                problems[name] = CONTROL_REASON
        elif has_control_or_break(value):
            problems[name] = BREAK_REASON if not has_control(value) else CONTROL_REASON
    return problems


def ascii_digits(text: str) -> bool:
    """Only the digits 0-9, at least one. str.isdigit() also takes superscripts (²),
    circled and Arabic-Indic digits, which int() then refuses (a ValueError, a 500):
    test with this before int() on anything a client sent."""
    return text.isascii() and text.isdigit()
