"""Parsing of numbers written the Vietnamese way ("1.234,5", "9,0%", "0,45‰").

Vietnamese uses "." to group thousands and "," as the decimal mark. Babel's strict
mode knows this and refuses text whose grouping does not fit (e.g. "12.34"), which
is how an ambiguous number is detected instead of being silently misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

NO_VALUE_MARKS = frozenset({"", "-", "–", "—", "x", "X", "..", "...", "…", "k/c", "kc"})
DITTO_MARKS = frozenset({'"', "“", "”", "〃", "''", "nt", "như trên"})
_SUFFIXES = {"%": "%", "‰": "‰", "%o": "‰"}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# Text already in unambiguous Vietnamese form: grouped thousands with '.', decimals with ','.
CANONICAL = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_MINUS = str.maketrans({"−": "-", "–": "-"})


class NumberParseError(ValueError):
    """A text that should be a number but is not, or could be read two ways."""

    def __init__(self, text: str, reason: str, expected: str):
        self.text = text
        self.reason = reason
        self.expected = expected
        super().__init__(f"found {text!r}: {reason}; expected {expected}")


@dataclass(frozen=True)
class ParsedNumber:
    """A parsed cell: ``value`` is None for an explicit no-value mark ("-", "x", "")."""

    value: Decimal | None
    suffix: str | None = None

    def as_float(self) -> float | None:
        return None if self.value is None else float(self.value)


def is_ditto(text: str) -> bool:
    """True for a ditto mark meaning "same as the row above"."""
    return text.strip().lower() in DITTO_MARKS


def parse_vi_number(text: object) -> ParsedNumber:
    """Parse one cell's text as a Vietnamese-formatted number.

    Numbers already typed as numbers (int/float/Decimal) are taken as they are.
    Raises NumberParseError for text that is not a number or is ambiguous,
    e.g. "12.34" (neither 1.234 nor 12,34 in Vietnamese notation).
    """
    if text is None:
        return ParsedNumber(None)
    if isinstance(text, bool):
        raise NumberParseError(str(text), "a yes/no value", "a number")
    if isinstance(text, int | float | Decimal):
        if isinstance(text, float) and text != text:
            return ParsedNumber(None)
        return ParsedNumber(Decimal(str(text)))
    raw = str(text)
    s = _SPACES.sub(" ", raw).strip()
    if s in NO_VALUE_MARKS:
        return ParsedNumber(None)
    suffix = None
    for mark, canonical in _SUFFIXES.items():
        if s.endswith(mark):
            suffix = canonical
            s = s[: -len(mark)].strip()
            break
    s = s.translate(_MINUS)
    s = re.sub(r"(?<=\d) (?=\d{3}\b)", ".", s)
    if CANONICAL.fullmatch(s):
        return ParsedNumber(Decimal(s.replace(".", "").replace(",", ".")), suffix)
    if not re.fullmatch(r"[+-]?[\d.,]+", s) or not re.search(r"\d", s):
        raise NumberParseError(raw, "not a number", "a number such as 1.234,5 or 9,0%")
    try:
        value = parse_decimal(s, locale="vi", strict=True)
    except NumberFormatError as exc:
        hint = (
            str(exc).split("?")[0].split("Did you mean")[-1].strip(" '")
            if "Did you mean" in str(exc)
            else ""
        )
        reason = "ambiguous: the dots and commas do not follow Vietnamese grouping"
        if hint:
            reason += f" (did you mean {hint!r}?)"
        raise NumberParseError(
            raw, reason, "'.' between thousands and ',' before decimals, e.g. 1.234,5"
        ) from exc
    return ParsedNumber(value, suffix)


# Yes/no cells of "Giữ vững ..." targets (kind maintain): the words departments write.
YES_WORDS = frozenset({"có", "co", "đạt", "dat", "x", "yes", "true"})
NO_WORDS = frozenset({"không", "khong", "chưa đạt", "chua dat", "không đạt", "khong dat", "no"})


def parse_yes_no(text: object) -> float | None:
    """1.0 for có/đạt/x, 0.0 for không/chưa đạt, None when ``text`` is not a yes/no word.

    Numbers are left to ``parse_vi_number`` (1 and 0 already mean yes and no)."""
    if not isinstance(text, str):
        return None
    word = " ".join(text.strip().lower().split()).rstrip(".")
    if word in YES_WORDS:
        return 1.0
    if word in NO_WORDS:
        return 0.0
    return None
