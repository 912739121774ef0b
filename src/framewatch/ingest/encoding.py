"""Bytes to text for the files analysts collect: UTF-8 and UTF-16 with BOMs, and legacy Russian
8-bit encodings (cp1251, koi8-r/u, cp866) that still turn up in forum dumps and old archives.

Why a hand-written detector: general-purpose detectors (charset-normalizer included) misread short
koi8-r Russian as Shift-JIS or cp1251 and cannot be trusted on the few hundred bytes of a forum post.
The scorer here is deterministic: every candidate decoding is scored by how Russian-like its letters
are (unigram frequencies) and how plausible its letter case is. cp1251 and koi8-r swap the upper-
and lower-case ranges, so a wrong choice produces words such as "пРХБЕР" that the case model
punishes. Western 8-bit text is decoded as cp1252 only when its accented letters sit inside
otherwise-ASCII words, which Russian never does, so the Latin fallback cannot silently turn Russian
into mojibake.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import logging
import math
import os
import re
import stat
from collections import Counter
from pathlib import Path

from .. import resources
from . import IngestError

log = logging.getLogger(__name__)

# Magic numbers of formats analysts drop into a folder by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP (or DOCX/XLSX/ODT/EPUB)"),
    (b"PK\x05\x06", "ZIP (or DOCX/XLSX/ODT/EPUB)"),
    (b"\x7fELF", "ELF executable"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy MS Office (DOC/XLS)"),
    (b"\x00asm", "WebAssembly"),
    (b"OggS\x00", "Ogg"),
    (b"ID3\x03", "MP3"),
    (b"ID3\x04", "MP3"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM"),
)

# A Cyrillic letter-bigram model, trained at first use on the `encoding` sample texts of the
# language resources (resources/<lang>/encoding.toml). Bigrams, not single letters: an all-caps
# cp1251 headline read as koi8-r becomes lower-case text whose letter frequencies are plausible,
# but whose letter sequences are not.
_SMOOTHING = 0.3
# Letters the sample lacks (Belarusian, Serbian, Macedonian letters of cp1251) and everything else.
_LOGP_RARE_LETTER = math.log(1e-3)
_RARE_LETTERS = frozenset("ўјљњћђџѕѓќ")
_LOGP_OTHER_LETTER = math.log(1e-4)   # e.g. Latin-1 accents or Greek inside a Cyrillic reading
_LOGP_SYMBOL = math.log(1e-5)         # box drawing and other symbols that land inside the text
# Non-ASCII punctuation that ordinary Russian text contains; neutral for the score.
_NEUTRAL = set("«»„“”‘’‚–—…№•·°±©®™€\u00a0\u00ad")
# Word-level case model: lower, Capitalised, UPPER, anything else (mojibake such as "пРХБЕР").
_CASE_LOGP = {"lower": math.log(0.78), "title": math.log(0.17), "upper": math.log(0.05),
              "mixed": math.log(1e-4)}

_CYRILLIC_CANDIDATES = ("cp1251", "koi8-r", "koi8-u", "cp866")
_WORD = re.compile(r"[^\W\d_]+")
_CONTROL = frozenset(set(range(0x00, 0x09)) | set(range(0x0E, 0x1B)) | set(range(0x1C, 0x20)) | {0x7F})
_MAX_CONTROL_SHARE = 0.05
_MAX_MIXED_CASE_SHARE = 0.3
_MAX_SYMBOL_SHARE = 0.1
_SAMPLE = 64 * 1024
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode `data` to text and name the encoding used.

    Returns ``(text, encoding)``; a leading BOM is stripped and reported as ``utf-8-sig``,
    ``utf-16-le`` or ``utf-16-be``. Raises `IngestError` for binary data (known magic numbers,
    NUL bytes outside UTF-16, many control bytes) and for 8-bit text whose encoding cannot be
    told, rather than guessing and storing mojibake. `source` only labels the debug log.
    """
    text, encoding = _decode(data)
    log.debug("%s: decoded as %s", source, encoding)
    return text, encoding


def read_text_file(path: Path, max_bytes: int) -> tuple[str, str]:
    """Read and decode a text file, refusing what should not be read.

    The size is checked with ``stat`` before anything is read, so a 200 MB log or a sparse file
    costs nothing; non-regular files (FIFOs, devices) are refused because reading them can block
    forever. Errors are `IngestError`s whose message leaves the path to the caller's report.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise IngestError("no such file") from None
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError("not a regular file (device, FIFO or socket)")
    if info.st_size == 0:
        raise IngestError("empty file")
    if info.st_size > max_bytes:
        raise IngestError(
            f"file is {info.st_size / 2**20:.1f} MB, over the {max_bytes / 2**20:g} MB limit "
            "(ingest.max_file_mb)"
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from None
    if not data:
        raise IngestError("empty file")
    if len(data) > max_bytes:  # the file grew between stat and read
        raise IngestError(f"file is over the {max_bytes / 2**20:g} MB limit (ingest.max_file_mb)")
    return decode_bytes(data, str(path))


def _decode(data: bytes) -> tuple[str, str]:
    if not data:
        return "", "utf-8"
    for magic, name in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"binary file (looks like {name})")
    if data[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return _strict(data[4:], "utf-32-le" if data[:4] == codecs.BOM_UTF32_LE else "utf-32-be")
    if data.startswith(codecs.BOM_UTF8):
        return _decode_utf8(data[3:], "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE):
        return _strict(data[2:], "utf-16-le")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data[2:], "utf-16-be")
    if _BZIP2.match(data):
        raise IngestError("binary file (looks like bzip2)")
    sample = data[:_SAMPLE]
    if b"\x00" in data:
        found = _bomless_utf16(data)
        if found is not None:
            return found
        raise IngestError("binary file (contains NUL bytes)")
    controls = sum(1 for b in sample if b in _CONTROL)
    if controls / len(sample) > _MAX_CONTROL_SHARE:
        raise IngestError(f"binary file ({controls / len(sample):.0%} control bytes)")
    try:
        return _decode_utf8(data, "utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_8bit(data)


def _strict(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise IngestError(f"invalid {encoding} at byte {exc.start}: {exc.reason}") from None


def _decode_utf8(data: bytes, name: str) -> tuple[str, str]:
    """Strict UTF-8, except that a multi-byte character cut off at the very end (a truncated
    download or copy) becomes U+FFFD instead of making the whole file undecodable."""
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8") + "\ufffd", name
        if name == "utf-8-sig":  # the BOM promised UTF-8: say where it breaks
            raise IngestError(f"invalid UTF-8 after a UTF-8 BOM at byte {exc.start}") from None
        raise


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM (some Windows exports): accept it only if the decoded text is almost
    all ASCII, Latin, Greek, Cyrillic and punctuation. CJK is deliberately not accepted: pairs of
    ASCII bytes read as UTF-16 land in the CJK block, so allowing it would pass binary junk."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE]
        if sample and sum(_plausible_char(ch) for ch in sample) / len(sample) >= 0.95:
            return text, encoding
    return None


def _plausible_char(ch: str) -> bool:
    code = ord(ch)
    if code < 0x80:
        return ch.isprintable() or ch in "\t\n\r\f"
    return 0xA0 <= code <= 0x24F or 0x370 <= code <= 0x52F or 0x2000 <= code <= 0x206F


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """Pick among the Cyrillic code pages (or a Western one); the judging looks at the first
    64 KiB only, so a large file costs one decode per candidate, not one Python loop each."""
    readings: list[tuple[float, int, str, str]] = []
    for order, encoding in enumerate(_CYRILLIC_CANDIDATES):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((_russian_score(text[:_SAMPLE]), -order, encoding, text))
    if readings and max(_high_letter_share(r[3][:_SAMPLE]) for r in readings) >= 0.5:
        # Words made mostly of non-ASCII letters: Cyrillic, or a code page we do not know.
        # A reading full of words like "пРХБЕР", or of box-drawing characters, is wrong whatever
        # its letter score.
        sane = [r for r in readings if _mixed_case_share(r[3][:_SAMPLE]) <= _MAX_MIXED_CASE_SHARE
                and _symbol_share(r[3][:_SAMPLE]) <= _MAX_SYMBOL_SHARE]
        if not sane:
            raise IngestError(
                "cannot tell the text encoding (8-bit, but no Cyrillic reading looks like "
                "text); convert the file to UTF-8"
            )
        _, _, encoding, text = max(sane)
        return text, encoding
    # Accented letters inside mostly-ASCII words: a Western language in a Windows/ISO code page.
    latin = _latin(data)
    if latin is not None:
        return latin
    raise IngestError(
        "cannot tell the text encoding (not UTF-8, not recognisably cp1251/koi8-r/cp866 or "
        "Western 8-bit); convert the file to UTF-8"
    )


def _latin(data: bytes) -> tuple[str, str] | None:
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _high_letter_share(text[:_SAMPLE]) < 0.5:
            return text, encoding
    return None


def _high_letter_share(text: str) -> float:
    """Among words that contain non-ASCII letters, the share of their letters that are non-ASCII.

    Russian (correctly decoded or not) scores near 1; French, German or Turkish words carry one or
    two accents among ASCII letters and score well below one half."""
    high = total = 0
    for word in _WORD.findall(text):
        n_high = sum(1 for c in word if ord(c) > 0x7F)
        if n_high and len(word) >= 2:
            high += n_high
            total += len(word)
    return high / total if total else 0.0


def _symbol_share(text: str) -> float:
    high = [c for c in text if ord(c) > 0x7F and not c.isspace() and c not in _NEUTRAL]
    if not high:
        return 0.0
    return sum(1 for c in high if not c.isalpha()) / len(high)


def _mixed_case_share(text: str) -> float:
    shapes = [_case_shape(w) for w in _WORD.findall(text) if len(w) >= 2 and any(ord(c) > 0x7F for c in w)]
    if len(shapes) < 3:
        return 0.0
    return shapes.count("mixed") / len(shapes)


def _russian_score(text: str) -> float:
    """Log-likelihood of the non-ASCII words of `text` under the bigram and word-case models."""
    seen, unseen = _bigram_model()
    score = 0.0
    for ch in text:
        if ord(ch) >= 0x80 and not ch.isalpha() and not ch.isspace() and ch not in _NEUTRAL:
            score += _LOGP_SYMBOL
    for word in _WORD.findall(text):
        if not any(ord(c) > 0x7F for c in word):
            continue
        score += _CASE_LOGP[_case_shape(word)]
        chars = ["^", *word.lower(), "$"]
        for prev, cur in itertools.pairwise(chars):
            if prev in unseen and (cur in unseen or cur == "$"):
                score += seen.get((prev, cur), unseen[prev])
            elif cur in _RARE_LETTERS:
                score += _LOGP_RARE_LETTER
            elif cur != "$" and ord(cur) > 0x7F:
                score += _LOGP_OTHER_LETTER
    return score


@functools.cache
def _bigram_model() -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """Smoothed log P(letter | previous letter) from the sample, with ^ and $ marking word edges:
    the seen bigrams, and per previous letter the value for a bigram the sample never showed."""
    pairs: Counter[tuple[str, str]] = Counter()
    sample = "\n".join(data["sample_text"] for data in resources.load_all("encoding").values())
    for word in _WORD.findall(sample.lower()):
        chars = ["^", *word, "$"]
        pairs.update(itertools.pairwise(chars))
    totals: Counter[str] = Counter()
    for (prev, _), n in pairs.items():
        totals[prev] += n
    size = len(totals) + 1  # every letter that can follow, plus the word end
    seen = {pair: math.log((n + _SMOOTHING) / (totals[pair[0]] + _SMOOTHING * size))
            for pair, n in pairs.items()}
    unseen = {prev: math.log(_SMOOTHING / (total + _SMOOTHING * size)) for prev, total in totals.items()}
    return seen, unseen


def _case_shape(word: str) -> str:
    if word.islower():
        return "lower"
    if word.isupper():
        return "upper" if len(word) > 1 else "title"
    if word[0].isupper() and word[1:].islower():
        return "title"
    return "mixed"
