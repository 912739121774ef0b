"""Timestamps as analysts paste them: absolute, relative to the page's day, in several languages.

A resolved timestamp is written back "as written": minute precision when the source gave a time,
date only when it gave a date, a month when it gave a month, never shifted to another time zone.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from functools import lru_cache

import dateparser

from .. import resources

_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
_ISO = re.compile(
    r"^\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?$"
)
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
MAX_TIMESTAMP_LINE = 60


def _relative_words() -> list[str]:
    words: list[str] = []
    for data in resources.load_all("thread").values():
        words.extend(w.lower() for w in data.get("timestamps", {}).get("relative_words", []))
    return words


def _month_words() -> list[str]:
    words: list[str] = []
    for data in resources.load_all("thread").values():
        words.extend(w.lower() for w in data.get("timestamps", {}).get("month_words", []))
    return words


def looks_like_timestamp(line: str) -> bool:
    """Cheap test before the (slow) date parser: short, and a time, a date, or a relative-day word."""
    text = line.strip()
    if not text or len(text) > MAX_TIMESTAMP_LINE:
        return False
    if _ISO.match(text) or _NUMERIC_DATE.search(text):
        return True
    lower = text.lower()
    has_time = bool(_TIME.search(text))
    has_day_word = any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lower) for w in _relative_words())
    has_month = bool(_YEAR.search(text)) and any(w in lower for w in _month_words())
    return has_time or has_day_word or has_month


@lru_cache(maxsize=4096)
def parse_timestamp(text: str, as_of: datetime, languages: tuple[str, ...] | None = None) -> str | None:
    """Resolve `text` against `as_of` and format it as written; None if it is not a timestamp.

    Cached: a thread repeats the same few relative stamps ("Yesterday, 09:20 AM") many times, and
    the date parser costs about a millisecond a call.
    """
    text = text.strip().strip("()[]|·-—").strip()
    if not text:
        return None
    if _ISO.match(text):
        return text.replace(" ", "T", 1)
    settings = {
        "RELATIVE_BASE": as_of,
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(text, settings=settings, languages=list(languages or _date_languages()))
    if parsed is None:
        return None
    if _SECONDS.search(text):
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    if _TIME.search(text) or _is_relative_time(text):
        return parsed.strftime("%Y-%m-%dT%H:%M")
    return parsed.strftime("%Y-%m-%d")


def _is_relative_time(text: str) -> bool:
    lower = text.lower()
    for data in resources.load_all("thread").values():
        for word in data.get("timestamps", {}).get("relative_time_words", []):
            if word.lower() in lower:
                return True
    return False


def _date_languages() -> list[str]:
    return resources.languages()


def parse_published(value: str) -> str | None:
    """Normalise a corpus `published` value: full timestamp, date, or month, kept as written."""
    text = value.strip()
    if not text or text.lower() in {"null", "none", "nan"}:
        return None
    if _ISO.match(text):
        return text.replace(" ", "T", 1)
    return parse_timestamp(text, datetime.now())
