"""Fixtures and helpers shared by every test surface.

`../shared` (seed thread, benchmark corpora) sits beside the repository for developers and CI
only. Tests that need it skip with the reason when it is absent, and fail instead when
FRAMEWATCH_REQUIRE_SHARED=1 (as CI sets it), so a missing folder can never pass silently.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = REPO / "examples"
AS_OF = datetime(2025, 12, 1, 12, 0)


def need_shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        message = f"{path} is absent: it is only beside the repository for developers and CI"
        if os.environ.get("FRAMEWATCH_REQUIRE_SHARED") == "1":
            pytest.fail(message + " (FRAMEWATCH_REQUIRE_SHARED=1)")
        pytest.skip(message)
    return path


@pytest.fixture
def seeds() -> Path:
    return need_shared("seeds")


@pytest.fixture
def as_of() -> datetime:
    return AS_OF


def framewatch(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "framewatch", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def export(cwd: Path, db: str = "fw.db") -> list[dict]:
    proc = framewatch("export", "--db", db, "--format", "jsonl", cwd=cwd)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def golden_record(doc) -> dict:
    """A document's export record without what the store or a run adds later (previous_id, run_id)."""
    data = doc.to_export()
    data.pop("previous_id", None)
    for span in data["spans"]:
        span.pop("run_id", None)
    return data


def golden(fixture: Path, exported: list[dict]) -> list[dict]:
    """The expected output stored beside `fixture`; FRAMEWATCH_REGEN_GOLDEN=1 rewrites it (check by eye)."""
    expected = fixture.with_name(fixture.name.rsplit(".", 1)[0] + ".expected.json")
    if os.environ.get("FRAMEWATCH_REGEN_GOLDEN") == "1":
        expected.write_text(json.dumps(exported, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return json.loads(expected.read_text(encoding="utf-8"))


def mention(text: str, surface: str, actor_id: str, label: str, source: str = "builtin", nth: int = 0):
    """A mention span over the `nth` occurrence of `surface` in `text`, as the actors stage writes one."""
    from framewatch.model import Span

    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span("mention", label, start, start + len(surface), 0.9, "lexical", "gazetteer",
                {"actor_id": actor_id, "name": surface, "source": source})


EN = "Ilham Aliyev met Erdogan in Baku on Monday. Later Aliyev said Baku supports the plan."
RU = "Ильхам Алиев встретился с Абдулло Ибрагимли в Баку."
ARREST = "Abdullo Ibragimli was arrested. Ibragimli's lawyer was not allowed in."


def actor_corpus() -> list:
    """Three documents whose mention spans are written directly, as the actors stage would."""
    from framewatch.model import Document

    return [
        Document(EN, kind="article", source_key="en.txt", language="en", spans=[
            mention(EN, "Ilham Aliyev", "person:ilham-aliyev", "PERSON"),
            mention(EN, "Erdogan", "person:recep-tayyip-erdogan", "PERSON"),
            mention(EN, "Baku", "gov:az", "GOVERNMENT"),  # a place here, wrongly an agent: split in tests
            mention(EN, "Aliyev", "person:ilham-aliyev", "PERSON", nth=1),
            mention(EN, "Baku", "gov:az", "GOVERNMENT", nth=1),
        ]),
        Document(RU, kind="post", source_key="ru.txt", language="ru", spans=[
            mention(RU, "Ильхам Алиев", "person:ilham-aliyev", "PERSON"),
            mention(RU, "Абдулло Ибрагимли", "person:~abdullo-ibragimli", "PERSON", "discovered"),
            mention(RU, "Баку", "city:az-baku", "PLACE"),
        ]),
        Document(ARREST, kind="post", source_key="arrest.txt", language="en", spans=[
            mention(ARREST, "Abdullo Ibragimli", "person:~abdullo-ibragimli", "PERSON", "discovered"),
            mention(ARREST, "Ibragimli", "person:~ibragimli", "PERSON", "discovered", nth=1),
        ]),
    ]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Skips with the reason where it is not installed,
    fails instead when FRAMEWATCH_REQUIRE_BROWSER=1 (as CI sets it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent (apt-get install chromium)"
        if os.environ.get("FRAMEWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (FRAMEWATCH_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots() -> Path:
    """Where a browser test saves its screenshots (test artifacts, kept after the run)."""
    folder = REPO / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the session (framewatch.store.pgcluster: initdb + pg_ctl in a
    temporary folder, a free loopback port, removed at the end). Skips with the reason where PostgreSQL
    is not installed, fails instead when FRAMEWATCH_REQUIRE_POSTGRES=1 (as CI sets it)."""
    from framewatch.store.pgcluster import PostgresMissing, TemporaryCluster

    try:
        # Durability is not under test: a test server need not wait for the disk.
        cluster = TemporaryCluster({"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"})
    except PostgresMissing as exc:
        if os.environ.get("FRAMEWATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{exc} (FRAMEWATCH_REQUIRE_POSTGRES=1)")
        pytest.skip(str(exc))
    with cluster:
        yield cluster


_pg_databases = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_url(postgres):
    """The URL of a fresh, empty database on the session's cluster, dropped after the test."""
    import psycopg

    name = f"test{next(_pg_databases)}"
    url = postgres.create_database(name)
    yield url
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Where a new, empty store goes, once per back end: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("postgres_url")
