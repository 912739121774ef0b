"""Language identification per document and per segment (lingua, restricted to configured languages).

Segments are lines, and inside a line any run of another script (a Russian name form in
parentheses inside an English sentence), so that later language-specific stages can treat
`(Ильхам Алиев)` as Russian even in an English document.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from ..config import Config
from ..model import Document, Span
from ..pipeline import StageContext, stage

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTERS = re.compile(r"[^\W\d_]+")
_CYRILLIC_LETTERS = re.compile(r"[\u0400-\u04FF]+")
_CYRILLIC_CODES = frozenset({"ru", "uk", "kk", "be", "bg", "sr", "mk", "mn", "tg", "ky"})
# A run of words in one script, allowing the spaces, hyphens and apostrophes between them.
_SCRIPT_RUN = re.compile(r"[^\W\d_]+(?:[\s'’\-][^\W\d_]+)*")
_DOC_SAMPLE = 20_000
_SURE = 0.9
_SHORT_LETTERS = 40


@cache
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _count(run: re.Pattern[str], text: str) -> int:
    """How many characters of `text` a run of `run` covers: a match per run, not per character."""
    return sum(map(len, run.findall(text)))


def _script(text: str) -> str:
    return "cyrillic" if _CYRILLIC.search(text) else "latin"


def _detect_many(texts: list[str], codes: tuple[str, ...]) -> list[tuple[str | None, float]]:
    """Best language and its confidence for each text; lingua spreads the batch over all cores."""
    if not codes:
        return [(None, 0.0)] * len(texts)
    if len(codes) == 1:
        return [(codes[0], 1.0)] * len(texts)
    results = []
    for values in _detector(codes).compute_language_confidence_values_in_parallel(texts):
        best = values[0] if values else None
        results.append((best.language.iso_code_639_1.name.lower(), round(best.value, 3)) if best else (None, 0.0))
    return results


def _codes_for_script(codes: tuple[str, ...], script: str) -> tuple[str, ...]:
    return tuple(c for c in codes if (c in _CYRILLIC_CODES) == (script == "cyrillic"))


def _segments(text: str) -> list[tuple[int, int, str]]:
    """(start, end, script) for each line, split further where the script changes."""
    out: list[tuple[int, int, str]] = []
    for line in re.finditer(r"[^\n]+", text):
        if not _CYRILLIC.search(line.group()):  # one script: the whole line, if it has a letter at all
            if _LETTERS.search(line.group()):
                out.append((line.start(), line.end(), "latin"))
            continue
        runs = [(m.start(), m.end(), _script(m.group())) for m in _SCRIPT_RUN.finditer(line.group())]
        if not runs:
            continue
        # Merge neighbouring runs of one script; keep the original spacing inside a merged run.
        merged: list[list] = []
        for start, end, script in runs:
            if merged and merged[-1][2] == script:
                merged[-1][1] = end
            else:
                merged.append([start, end, script])
        if len(merged) == 1:
            out.append((line.start(), line.end(), merged[0][2]))
            continue
        for start, end, script in merged:
            out.append((line.start() + start, line.start() + end, script))
    return out


def detect_language(text: str, config: Config) -> str | None:
    """The most likely of the configured languages (`languages.detect`) for a whole text, among those of its
    majority script as the `language` stage decides; None for a text without letters."""
    sample = text[:_DOC_SAMPLE]
    letters = _count(_LETTERS, sample)
    if not letters:
        return None
    codes = tuple(config.get("languages.detect", []))
    majority = "cyrillic" if _count(_CYRILLIC_LETTERS, sample) * 2 > letters else "latin"
    return _detect_many([sample], _codes_for_script(codes, majority) or codes)[0][0]


@stage("language", version="1", assigns=("language", "layer:language"))
def identify_language(doc: Document, ctx: StageContext) -> None:
    codes = tuple(ctx.config.get("languages.detect", []))
    min_letters = int(ctx.config.get("languages.min_segment_letters", 12))
    if doc.language is None and doc.text.strip():
        sample = doc.text[:_DOC_SAMPLE]
        majority = "cyrillic" if _count(_CYRILLIC_LETTERS, sample) * 2 > _count(_LETTERS, sample) else "latin"
        [(doc.language, _)] = _detect_many([sample], _codes_for_script(codes, majority) or codes)
        doc.meta.setdefault("language_source", "detected")
    segments = [(start, end, _codes_for_script(codes, script)) for start, end, script in _segments(doc.text)]
    letters = [_count(_LETTERS, doc.text[start:end]) for start, end, _ in segments]
    to_detect: dict[tuple[str, ...], list[int]] = {}
    for index, (_, _, candidates) in enumerate(segments):
        if letters[index] >= min_letters or doc.language not in candidates:
            to_detect.setdefault(candidates, []).append(index)
    detected: dict[int, tuple[str | None, float]] = {}
    for candidates, indexes in to_detect.items():
        texts = [doc.text[segments[i][0]:segments[i][1]] for i in indexes]
        detected.update(zip(indexes, _detect_many(texts, candidates), strict=True))
    for index, (start, end, candidates) in enumerate(segments):
        if index not in detected:
            label, confidence, cue = doc.language, None, "document-language"
        else:
            (label, confidence), cue = detected[index], "lingua"
            # Short fragments (a name in parentheses) are where detectors guess; an unsure guess
            # yields to the document's language, or to the first configured language of the script.
            if label and confidence < _SURE and letters[index] < _SHORT_LETTERS:
                fallback = doc.language if doc.language in candidates else candidates[0]
                label, confidence, cue = fallback, None, "short-segment-default"
        if label:
            doc.add_span(Span("language", label, start, end, confidence, engine="lingua", cue=cue))
