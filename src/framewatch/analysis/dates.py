"""Dates in running text, resolved to absolute ISO dates against the document's publication date.

What a date looks like is language data (`resources/<lang>/dates.toml`): month and weekday names,
words for a day or a period relative to publication. The finding is regular expressions built from
that data (one pass per kind over the text, fast enough for every sentence of a corpus); the
arithmetic is plain calendar arithmetic, so the same text and publication date always give the same
answer:

- `18 November 2025`, `Nov. 18, 2025`, `18 ноября 2025 года`, `18.11.2025`, `2025-11-18`: that day;
- `18 ноября`, `Nov 18` (no year): the most recent such day on or before publication;
- `on Tuesday`, `во вторник`: the most recent such weekday on or before publication;
- `yesterday`, `вчера`, `today`: publication day plus the listed offset;
- `last week`, `на прошлой неделе`, `in November`, `November 2025`: a month (`YYYY-MM`).

A relative date needs a publication date of day precision; without one it is not reported.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from .. import resources
from .cues import word_pattern
from .matching import finditer

_RESOURCE = "dates"
# These patterns begin with a digit that no digit precedes (see their lookbehinds): they are tried at
# the starts of runs of digits only, not at every position of the text.
_AT_DIGITS = frozenset({"iso", "numeric", "day_month"})
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str  # `YYYY-MM-DD` or `YYYY-MM`


@dataclass(frozen=True)
class _Rules:
    months: dict[str, int]  # every listed form, as matched (case-folded unless case-sensitive) -> 1..12
    abbreviations: frozenset[str]
    weekdays: dict[str, int]  # -> 0 (Monday) .. 6
    relative_days: dict[str, int]
    relative_periods: dict[str, int]
    case_sensitive: bool
    numeric_dmy: bool
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (kind, regex), tried longest match first
    future: re.Pattern[str] | None  # before a weekday: it lies ahead (`next Tuesday`), not resolved

    def key(self, form: str) -> str:
        return form if self.case_sensitive else form.casefold()


def languages() -> tuple[str, ...]:
    """Languages with a date file."""
    return tuple(lang for lang in resources.languages() if resources.has(lang, _RESOURCE))


def _alternation(forms: list[str]) -> str:
    # Longest first so that `Sept` wins over `Sep` and `ноября` over `ноя`.
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"


def parse_rules(data: Mapping[str, Any], language: str) -> _Rules:
    """Validate and compile one language's date file; errors name the file and the key."""
    file = f"resources/{language}/{_RESOURCE}.toml"
    months, weekdays = data.get("months", []), data.get("weekdays", [])
    if len(months) != 12 or len(weekdays) != 7:
        raise ValueError(f"{file}: `months` needs 12 lists and `weekdays` 7")
    case_sensitive = bool(data.get("names_case_sensitive", False))

    def key(form: str) -> str:
        return form if case_sensitive else form.casefold()


    month_of = {key(f): i for i, forms in enumerate(months, 1) for f in forms}
    weekday_of = {key(f): i for i, forms in enumerate(weekdays) for f in forms}
    order = data.get("numeric_order", "dmy")
    if order not in ("dmy", "mdy"):
        raise ValueError(f"{file}: numeric_order must be 'dmy' or 'mdy'")
    flags = 0 if case_sensitive else re.IGNORECASE
    month = rf"(?P<month>{_alternation(list(month_of))})(?![\w])(?P<dot>\.)?"
    # An abbreviation is a form that begins another form of its month (`Nov`, `ноя`): only it takes a dot.
    abbreviations = {key(f) for forms in months for f in forms
                     if any(g != f and key(g).startswith(key(f)) for g in forms)}
    ordinal = data.get("ordinal", "")
    day = rf"(?P<day>[0-3]?\d)(?:{ordinal})?" if ordinal else r"(?P<day>[0-3]?\d)"
    day_of = rf"(?:\s+{data['day_of']})?" if data.get("day_of") else ""
    year = r"(?:,?\s+(?P<year>(?:19|20)\d\d)(?!\d))?"
    edge = r"(?<![\w.])"
    # The preposition before a month alone is matched in any case (`In November`), the month as listed.
    month_prefix = "(?i:" + word_pattern(data.get("month_prefix", [])) + ")"
    future = data.get("future_prefix", [])
    patterns = [
        ("iso", re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d\d)-(?P<a>[01]\d)-(?P<b>[0-3]\d)(?![\d-])")),
        ("numeric", re.compile(r"(?<![\d.,/])(?P<a>[0-3]?\d)([./])(?P<b>[01]?\d)\2(?P<year>(?:19|20)\d\d)(?!\d)")),
        ("day_month", re.compile(edge + day + day_of + r"\s+" + month + year, flags)),
        ("month_day", re.compile(edge + month + r"\s+" + day + r"(?!\d)" + year, flags)),
        ("month_year", re.compile(edge + month + r"\s+(?P<year>(?:19|20)\d\d)(?!\d)", flags)),
        ("month", re.compile(month_prefix + r"\s+" + month, flags)),
        ("weekday", re.compile(rf"(?<!\w)(?P<weekday>{_alternation(list(weekday_of))})(?!\w)", flags)),
        ("relative_day", re.compile(word_pattern(data.get("relative_days", {})), re.IGNORECASE)),
        ("relative_period", re.compile(word_pattern(data.get("relative_periods", {})), re.IGNORECASE)),
    ]
    if not data.get("relative_days"):
        patterns = [p for p in patterns if p[0] != "relative_day"]
    if not data.get("relative_periods"):
        patterns = [p for p in patterns if p[0] != "relative_period"]
    return _Rules(month_of, frozenset(abbreviations), weekday_of,
                  {k.casefold(): int(v) for k, v in data.get("relative_days", {}).items()},
                  {k.casefold(): int(v) for k, v in data.get("relative_periods", {}).items()},
                  case_sensitive, order == "dmy", tuple(patterns),
                  re.compile(word_pattern(future) + r"\s+$", re.IGNORECASE) if future else None)


@cache
def rules(language: str) -> _Rules:
    return parse_rules(resources.load(language, _RESOURCE), language)


def base_date(published: str | None) -> date | None:
    """The publication day, when `published` gives one (`2025-11-30T09:20`, `2025-11-30`)."""
    if not published or len(published) < 10:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def document_date(published: str | None) -> str | None:
    """The publication date at the precision it has: `YYYY-MM-DD`, `YYYY-MM`, or None."""
    if not published:
        return None
    day = base_date(published)
    if day is not None:
        return day.isoformat()
    return published[:7] if re.fullmatch(r"\d{4}-[01]\d", published[:7]) else None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _value(kind: str, match: re.Match[str], r: _Rules, base: date | None) -> str | None:
    """The ISO value of one found date string, or None where it cannot be resolved."""
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if kind in ("iso", "numeric"):
        a, b = int(groups["a"]), int(groups["b"])
        if kind == "iso":
            month, day = a, b
        elif a > 12 or (r.numeric_dmy and b <= 12):
            day, month = a, b
        else:
            month, day = a, b
        found = _day(year or 0, month, day)
        return found.isoformat() if found else None
    if kind in ("day_month", "month_day", "month_year", "month"):
        month = r.months[r.key(groups["month"])]
        if kind in ("month_year", "month"):
            if year is None:
                if base is None:
                    return None
                year = base.year if month <= base.month else base.year - 1
            return f"{year:04d}-{month:02d}"
        day = int(groups["day"])
        if year is not None:
            found = _day(year, month, day)
            return found.isoformat() if found else None
        if base is None:
            return None
        # No year: the most recent such day on or before publication (a report tells of the past).
        found = _day(base.year, month, day)
        if found is not None and found > base:
            found = _day(base.year - 1, month, day)
        return found.isoformat() if found else None
    if base is None:
        return None
    word = match.group(0)
    if kind == "weekday":
        weekday = r.weekdays[r.key(word)]
        return (base - timedelta(days=(base.weekday() - weekday) % 7)).isoformat()
    key = " ".join(word.casefold().split())
    if kind == "relative_day":
        return (base + timedelta(days=r.relative_days[key])).isoformat()
    offset = r.relative_periods[key]
    if offset <= -28:  # `last month`: the calendar month before publication's
        first = base.replace(day=1) - timedelta(days=1)
        return first.isoformat()[:7]
    return (base + timedelta(days=offset)).isoformat()[:7]


def _tried(regex: re.Pattern[str], text: str, places: list[int], start: int, stop: int) -> list[re.Match[str]]:
    """The matches `regex.finditer(text, start, stop)` gives, when each begins at one of `places`."""
    found = []
    resume = start
    for at in places:
        if at >= resume and (match := regex.match(text, at, stop)) is not None:
            found.append(match)
            resume = match.end()  # never empty: a digit at least
    return found


def find_dates(text: str, language: str, published: str | None, start: int = 0,
               end: int | None = None) -> list[DateMention]:
    """The dates written in text[start:end] with their resolved values, in text order; overlapping
    candidates give way to the longest (`18 November 2025` over `November 2025`)."""
    if language not in languages():
        return []
    r = rules(language)
    base = base_date(published)
    stop = len(text) if end is None else end
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    digits = [m.start() for m in _DIGITS.finditer(text, start, stop)]
    for kind, regex in r.patterns:
        found = _tried(regex, text, digits, start, stop) if kind in _AT_DIGITS else finditer(regex, text, start, stop)
        for match in found:
            if match.end() > match.start():
                candidates.append((match.start(), match.end(), kind, match))
    # The whole `month` match includes its preposition; the date is the month word.
    taken: list[DateMention] = []  # in text order; they never overlap
    starts: list[int] = []
    for s, e, kind, match in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if kind == "month":
            s = match.start("month")
        if match.groupdict().get("dot") and match.end("dot") == e and r.key(match["month"]) not in r.abbreviations:
            e -= 1  # a sentence's full stop after a full month name
        # Only the dates on either side of where this one would go can overlap it.
        at = bisect_left(starts, s)
        if (at > 0 and taken[at - 1].end > s) or (at < len(taken) and taken[at].start < e):
            continue
        if kind == "weekday" and r.future is not None and r.future.search(text, max(0, s - 40), s):
            continue
        value = _value(kind, match, r, base)
        if value is not None:
            taken.insert(at, DateMention(s, e, text[s:e], value))
            starts.insert(at, s)
    return taken
