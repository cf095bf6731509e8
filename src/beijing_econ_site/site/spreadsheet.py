"""Cells that are safe to open in a spreadsheet (OWASP's CSV injection rules).

A cell whose text a spreadsheet could run as a formula, one starting with = + - @, a tab or a
carriage return, or their full-width forms, even after spaces, gets a leading apostrophe, so
the spreadsheet shows it as text. Plain numbers, signed, grouped or in percent ("-3.2",
"+15.2%", "−1,200"), are left as they are: no spreadsheet can run them.
"""

from __future__ import annotations

import re
from typing import Any

_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20\u2212")  # and ＝ ＋ － ＠ −
_LEADING_SPACE = " \u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\ufeff"
_PLAIN_NUMBER = re.compile(r"^[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?$")


def could_run(text: str) -> bool:
    """Whether a spreadsheet might read text as a formula."""
    if _PLAIN_NUMBER.match(text):
        return False
    if text[:1] in ("\t", "\r"):
        return True
    stripped = text.lstrip(_LEADING_SPACE)
    return stripped[:1] in _TRIGGERS


def safe_cell(value: Any) -> Any:
    """value for a CSV cell: text that could run as a formula is quoted with an apostrophe."""
    if isinstance(value, str) and could_run(value):
        return "'" + value
    return value
