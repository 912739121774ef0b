"""Decoding the bytes analysts actually collect: UTF-8/16 exports, legacy Russian code pages,
and the binary files that end up in a corpus folder by mistake."""

from __future__ import annotations

import codecs
import os
import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from framewatch.ingest import IngestError
from framewatch.ingest.encoding import decode_bytes, read_text_file

POST = (
    "Вчера в 21:40 пользователь Тимур написал: «Задержание журналистов в Баку — это ответ на "
    "действия Москвы». По его словам, Кремль давно готовил этот шаг, а Ильхам Алиев лишь ждал "
    "повода. Ссылка на оригинал: https://toutiao.com/article/7512 (мнение автора может не "
    "совпадать с позицией редакции)."
)
HEADLINE = "СИЛОВИКИ ЗАДЕРЖАЛИ СОТРУДНИКОВ АГЕНТСТВА В ЕКАТЕРИНБУРГЕ"
SHORT = "Москва ответила Баку"
# koi8-r and cp866 have no guillemets or dashes: the same post as typed on an old DOS/Unix box.
POST_PLAIN = POST.replace("«", '"').replace("»", '"').replace("—", "-")
UKRAINIAN = "Україна і Європа: їхні відносини ґрунтуються на довірі та спільних цінностях."


@pytest.mark.parametrize("text", [POST, HEADLINE, SHORT, UKRAINIAN])
@pytest.mark.parametrize("encoding", ["cp1251", "utf-8"])
def test_round_trip_cyrillic(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding), "post.txt") == (text, encoding)


def test_koi8u_ukrainian() -> None:
    assert decode_bytes(UKRAINIAN.encode("koi8-u"), "post.txt") == (UKRAINIAN, "koi8-u")


@pytest.mark.parametrize("text", [POST_PLAIN, HEADLINE, SHORT])
@pytest.mark.parametrize("encoding", ["koi8-r", "cp866"])
def test_round_trip_russian_only_code_pages(text: str, encoding: str) -> None:
    decoded, name = decode_bytes(text.encode(encoding), "post.txt")
    assert decoded == text
    assert name == encoding


def test_cp1251_and_koi8r_are_told_apart() -> None:
    assert decode_bytes(SHORT.encode("cp1251"), "a")[1] == "cp1251"
    assert decode_bytes(SHORT.encode("koi8-r"), "a")[1] == "koi8-r"
    assert decode_bytes(HEADLINE.encode("koi8-r"), "a")[1] == "koi8-r"


def test_boms_are_stripped_and_named() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + POST.encode(), "a") == (POST, "utf-8-sig")
    assert decode_bytes(codecs.BOM_UTF16_LE + POST.encode("utf-16-le"), "a") == (POST, "utf-16-le")
    assert decode_bytes(codecs.BOM_UTF16_BE + POST.encode("utf-16-be"), "a") == (POST, "utf-16-be")
    assert decode_bytes(POST.encode("utf-16"), "a")[0] == POST


def test_bomless_utf16_export() -> None:
    text = "Date;Author;Text\r\n2025-06-30;Tee;Baku says the raid was lawful\r\n"
    assert decode_bytes(text.encode("utf-16-le"), "a") == (text, "utf-16-le")


def test_utf8_cut_mid_character_keeps_the_rest() -> None:
    data = POST.encode()[:-1] + "ж".encode()[:1]
    text, name = decode_bytes(data, "a")
    assert name == "utf-8"
    assert text.endswith("\ufffd")
    assert text[:-1] == POST[:-1]


def test_western_8bit_text_is_not_read_as_cyrillic() -> None:
    text = "Le président a qualifié l'opération de « légitime défense » à Bakou."
    assert decode_bytes(text.encode("cp1252"), "a") == (text, "cp1252")
    german = "Über die Größe der Proteste berichtete die Presse kaum."
    assert decode_bytes(german.encode("latin-1"), "a")[0] == german


def test_russian_never_comes_back_as_latin_mojibake() -> None:
    for encoding in ("cp1251", "koi8-r"):
        text, name = decode_bytes(POST_PLAIN.encode(encoding), "a")
        assert name != "cp1252" and name != "latin-1"
        assert "Ð" not in text and "ð" not in text


def test_unknown_code_page_is_an_error_not_mojibake() -> None:
    greek = "Οι αρχές συνέλαβαν δημοσιογράφους στην πρωτεύουσα χθες το βράδυ."
    with pytest.raises(IngestError, match="encoding"):
        decode_bytes(greek.encode("cp1253"), "a")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip"),
    ],
)
def test_binary_magic_numbers(data: bytes, name: str) -> None:
    with pytest.raises(IngestError, match=rf"binary file \(looks like {name}"):
        decode_bytes(data + bytes(range(256)), "scan.bin")


def test_nul_bytes_and_control_bytes_are_binary() -> None:
    with pytest.raises(IngestError, match="NUL"):
        decode_bytes(b"some text\x00\x01\x02\x03 more", "a")
    with pytest.raises(IngestError, match="control bytes"):
        decode_bytes(bytes([1, 2, 3, 4, 5, 6, 65, 66]) * 20, "a")


def test_read_text_file(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(POST_PLAIN.encode("koi8-r"))
    assert read_text_file(path, 1024 * 1024) == (POST_PLAIN, "koi8-r")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.touch()
    with pytest.raises(IngestError, match="empty file"):
        read_text_file(path, 1024)


def test_huge_file_fails_fast_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(IngestError) as info:
        read_text_file(path, 100 * 1024 * 1024)
    assert time.perf_counter() - started < 0.5
    assert str(info.value) == "file is 200.0 MB, over the 100 MB limit (ingest.max_file_mb)"


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_text_file(tmp_path / "nope.txt", 1024)
    with pytest.raises(IngestError, match="directory"):
        read_text_file(tmp_path, 1024)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read mode-000 files")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(POST, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(IngestError, match="permission denied"):
            read_text_file(path, 1024 * 1024)
    finally:
        path.chmod(0o600)


# Realistic-looking random text: Russian words (the only way cp1251 and koi8-r can be told apart is
# that real words have Russian letter sequences and sane letter case) mixed with ASCII tokens.
_WORDS_TEXT = (
    "власти задержали журналистов столице баку москва кремль заявил ответ провокация агентство "
    "сотрудники силовики граница переговоры министр президент армения азербайджан россия война "
    "мнение автора редакция сообщил источник вчера сегодня неделю после того как было сказано "
    "действия против своих граждан обвинили шпионаже начали расследование суд арестовал ещё всё "
    "объявил также которые между этот поэтому новости лента ведомство официальный представитель"
)
RUSSIAN_WORDS = tuple(_WORDS_TEXT.split())
ASCII_TOKENS = ("TASS", "2025", "09:20", "Reuters", "https://t.me/news", "OK", "#7", "(c)", "-", "x")


@st.composite
def russian_posts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(RUSSIAN_WORDS), min_size=4, max_size=30))
    out = []
    for i, word in enumerate(words):
        style = draw(st.sampled_from(["lower"] * 6 + ["title", "upper"]))
        word = word.capitalize() if style == "title" or i == 0 else word.upper() if style == "upper" else word
        out.append(word)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(ASCII_TOKENS)))
    seps = draw(st.lists(st.sampled_from([" ", " ", " ", ", ", ". ", "\n", " - "]),
                         min_size=len(out), max_size=len(out)))
    return "".join(w + s for w, s in zip(out, seps, strict=True)).strip()


def _cyrillic_letters(text: str) -> int:
    return sum(1 for c in text if "а" <= c.lower() <= "я" or c in "ёЁ")


@settings(max_examples=150, deadline=None)
@given(text=russian_posts(), encoding=st.sampled_from(["utf-8", "utf-16", "cp1251", "koi8-r"]))
def test_property_round_trip(text: str, encoding: str) -> None:
    assume(_cyrillic_letters(text) >= 20)
    assert decode_bytes(text.encode(encoding), "generated")[0] == text


# Arbitrary strings of Cyrillic and ASCII: fine for UTF-8/16, but deliberately not for the 8-bit
# code pages, where uniformly random letters carry no statistics that could tell cp1251 from koi8-r
# (the wrong reading of random letters is as likely as the right one).
RUSSIAN_LETTERS = st.sampled_from([chr(c) for c in range(0x410, 0x450)] + ["ё", "Ё"])
OTHER_CHARS = st.one_of(
    st.characters(min_codepoint=0x400, max_codepoint=0x45F),
    st.sampled_from([chr(c) for c in range(0x20, 0x7F)] + ["\n", "\t"]),
)
CYRILLIC_ASCII = st.tuples(
    st.lists(RUSSIAN_LETTERS, min_size=20, max_size=120), st.lists(OTHER_CHARS, max_size=120)
).flatmap(lambda parts: st.permutations(parts[0] + parts[1])).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=CYRILLIC_ASCII, encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_property_unicode_round_trip(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding), "generated")[0] == text
