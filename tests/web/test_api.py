"""The JSON API over the example store, through a real uvicorn server: pages, filters, evidence
offsets, search in English and Russian, ingestion and comparisons."""

from __future__ import annotations

import csv
import io
import json

import pytest

from framewatch.store import open_store
from web.live import serving


def test_overview_counts_what_the_store_holds(client, store_path) -> None:
    data = client.get("/api/overview").json()
    with open_store(store_path) as store:
        assert data["summary"]["documents"] == store.count()
    assert sum(s["documents"] for s in data["sources"]) == data["summary"]["documents"]
    assert sum(p["documents"] for p in data["volume"]) == data["summary"]["documents"]
    assert {"2025-11", "2025-12"} <= {p["period"] for p in data["volume"]}
    assert data["runs"] and data["runs"][0]["stages"]


def test_documents_page_with_filters_and_bounds(client) -> None:
    first = client.get("/api/documents", params={"limit": 10}).json()
    assert first["total"] == 48 and first["offset"] == 0 and len(first["items"]) == 10
    second = client.get("/api/documents", params={"limit": 10, "offset": 10}).json()
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    russian = client.get("/api/documents", params={"language": "RU", "limit": 500}).json()
    assert russian["total"] == len(russian["items"]) > 0
    assert {d["language"] for d in russian["items"]} == {"ru"}
    wire = client.get("/api/documents", params={"source": "Continental Wire", "kind": "article"}).json()
    assert wire["total"] >= 2 and {d["source"] for d in wire["items"]} == {"Continental Wire"}
    november = client.get("/api/documents", params={"since": "2025-11-26", "until": "2025-11-27", "limit": 500}).json()
    assert november["total"] > 0
    assert all("2025-11-26" <= d["published"][:10] <= "2025-11-27" for d in november["items"])
    too_many = client.get("/api/documents", params={"limit": 501})
    assert too_many.status_code == 422
    assert "limit" in too_many.json()["error"]
    assert client.get("/api/documents", params={"offset": -1}).status_code == 422


def test_document_spans_cite_the_stored_text(client) -> None:
    doc_id = client.get("/api/documents", params={"source": "Continental Wire", "limit": 1}).json()["items"][0]["id"]
    doc = client.get(f"/api/documents/{doc_id}").json()
    layers = {s["layer"] for s in doc["spans"]}
    assert {"sentence", "mention", "claim"} <= layers
    for span in doc["spans"]:
        assert 0 <= span["start"] <= span["end"] <= len(doc["text"])
        assert span["run_id"] and span["engine"]
        if span["layer"] == "mention":
            assert doc["text"][span["start"]:span["end"]] == span["attrs"]["name"]
    only = client.get(f"/api/documents/{doc_id}", params=[("layer", "mention"), ("layer", "event")]).json()
    assert {s["layer"] for s in only["spans"]} == {"mention", "event"} & layers
    paged = client.get(f"/api/documents/{doc_id}/spans", params={"layer": "mention", "limit": 3}).json()
    assert paged["total"] == sum(1 for s in doc["spans"] if s["layer"] == "mention") and len(paged["items"]) == 3


def test_unknown_ids_are_404_with_a_message(client) -> None:
    for path in ("/api/documents/dnope", "/api/actors/person:~nobody-at-all", "/api/comparisons/cnope"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "nope" in response.json()["error"] or "nobody" in response.json()["error"]


def test_actor_roles_timeline_and_mentions(client) -> None:
    actors = client.get("/api/actors", params={"limit": 5}).json()
    assert actors["total"] > 20 and len(actors["items"]) == 5
    actor = client.get("/api/actors/country:vl", params={"by": "language"}).json()
    assert actor["label"] == "Velaria" and {"Velaria", "Велария"} <= set(actor["names"])
    assert {entry["group"] for entry in actor["roles"]} == {"en", "ru"}
    assert {point["period"] for point in actor["timeline"]} >= {"2025-11"}
    mentions = client.get("/api/actors/country:vl/mentions", params={"limit": 500}).json()
    assert mentions["total"] == actor["mentions"] == len(mentions["items"])
    texts = {}
    for item in mentions["items"][:20]:
        text = texts.setdefault(item["document"], client.get(f"/api/documents/{item['document']}").json()["text"])
        assert text[item["start"]:item["end"]] == item["text"]
        assert item["start"] <= item["mention"]["start"] < item["mention"]["end"] <= item["end"]
        assert text[item["mention"]["start"]:item["mention"]["end"]] == item["mention"]["text"]


def test_profiles_by_grouping(client) -> None:
    by_language = client.get("/api/techniques", params={"by": "language"}).json()
    assert {g["group"] for g in by_language} == {"en", "ru"}
    assert all(g["words"] > 0 for g in by_language)
    narratives = client.get("/api/narratives", params={"by": "source"}).json()
    cited = [c for g in narratives for c in g["evidence"].values()]
    assert cited
    doc = client.get(f"/api/documents/{cited[0]['document']}").json()
    assert doc["text"][cited[0]["start"]:cited[0]["end"]] == cited[0]["text"]
    assert client.get("/api/roles", params={"actor": "country:vl"}).json()
    bad = client.get("/api/techniques", params={"by": "colour"})
    assert bad.status_code == 422 and "'by'" in bad.json()["error"]


def test_search_in_english_and_russian(client) -> None:
    english = client.get("/api/search", params={"q": "espionage", "limit": 2}).json()
    assert english["total"] >= 3 and len(english["items"]) == 2
    rest = client.get("/api/search", params={"q": "espionage", "limit": 2, "offset": 2}).json()
    assert not {h["id"] for h in english["items"]} & {h["id"] for h in rest["items"]}
    for hit in english["items"]:
        words = [hit["snippet"][a:b].lower() for a, b in hit["matches"]]
        assert "espionage" in words
    # A Russian name in another case (Калморе, Калмору) is found by its lemma.
    russian = client.get("/api/search", params={"q": "Калмора", "lang": "ru"}).json()
    assert russian["total"] >= 3
    assert {h["language"] for h in russian["items"]} == {"ru"}
    forms = {hit["snippet"][a:b] for hit in russian["items"] for a, b in hit["matches"]}
    assert any(form.lower().startswith("калмор") for form in forms)
    assert client.get("/api/search", params={"q": ""}).status_code == 422


def test_openapi_schema_describes_the_api(client) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/documents", "/api/documents/{doc_id}", "/api/actors/{actor_id}", "/api/search",
                 "/api/comparisons", "/api/techniques", "/api/narratives", "/api/overview", "/export.jsonl"):
        assert path in schema["paths"], path
    listing = schema["paths"]["/api/documents"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"offset", "limit", "source", "language", "kind",
                                                          "author", "since", "until"}
    assert "post" in schema["paths"]["/api/documents"]
    assert "DocumentPage" in schema["components"]["schemas"]


def test_exports_follow_the_filters(client) -> None:
    lines = client.get("/export.jsonl", params={"language": "ru"}).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert records and {r["language"] for r in records} == {"ru"}
    assert all(r["spans"] for r in records)
    total = client.get("/api/documents", params={"language": "ru"}).json()["total"]
    assert len(records) == total
    response = client.get("/export.csv", params={"kind": "quote"})
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["kind"] for r in rows} == {"quote"}
    assert json.loads(rows[0]["spans"])


def test_posted_documents_are_analysed_stored_and_idempotent(client, store_path) -> None:
    body = "\n".join([
        json.dumps({"id": "api-1", "outlet": "Test Wire", "language": "en", "published": "2025-11-30",
                    "title": "Kalmora court extends detention",
                    "text": "A court in Kalmora extended the detention of four Nord-Vostok Media staff on Monday."}),
        '{"id": "api-2", "text": "truncated',
        json.dumps({"id": "api-3", "outlet": "Тест", "text": "Суд в Калморе продлил арест четырёх сотрудников."}),
        json.dumps({"id": "api-4", "title": "no text"}),
    ])
    first = client.post("/api/documents", content=body.encode(), headers={"content-type": "application/x-ndjson"})
    assert first.status_code == 200, first.text
    result = first.json()
    assert result["added"] == 2 and result["unchanged"] == 0 and len(result["ids"]) == 2
    assert [p["line"] for p in result["problems"]] == [2, 4]
    assert "truncated" in result["problems"][0]["message"] and "no text" in result["problems"][1]["message"]
    stored = client.get(f"/api/documents/{result['ids'][1]}").json()
    assert stored["language"] == "ru" and stored["external_id"] == "api-3"
    assert {"sentence", "mention"} <= {s["layer"] for s in stored["spans"]}
    assert {s["run_id"] for s in stored["spans"] if s["layer"] == "mention"} == {result["run_id"]}

    again = client.post("/api/documents", content=body.encode()).json()
    assert again["added"] == 0 and again["unchanged"] == 2 and again["run_id"] is None
    edited = client.post("/api/documents", json=[{"id": "api-1", "outlet": "Test Wire", "text": "Corrected text."}])
    assert edited.json()["new_versions"] == 1
    new = client.get(f"/api/documents/{edited.json()['ids'][0]}").json()
    assert new["previous_id"] == result["ids"][0]
    with open_store(store_path) as store:
        assert store.count() == 48 + 2
    array = client.post("/api/documents", json=[{"text": "Fine."}, 5, {"text": ""}]).json()
    assert [p["record"] for p in array["problems"]] == [2, 3]
    assert array["problems"][0]["message"].startswith("expected a JSON object")
    assert array["problems"][1]["message"].startswith("record has empty text")


@pytest.mark.parametrize(("body", "message"), [
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"[{\"text\": 1,", "invalid JSON array"),
    (b"   ", "empty"),
])
def test_unreadable_bodies_are_400(client, body, message) -> None:
    response = client.post("/api/documents", content=body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_bodies_over_the_limit_are_413(store_path) -> None:
    with serving(store_path, max_body_bytes=1000) as live, live.client() as session:
        big = json.dumps([{"text": "x" * 2000}]).encode()
        response = session.post("/api/documents", content=big)
        assert response.status_code == 413 and "1000 bytes" in response.json()["error"]

        def chunked():
            yield big[:600]
            yield big[600:]

        response = session.post("/api/documents", content=chunked())  # no Content-Length to check first
        assert response.status_code == 413
        assert session.get("/api/documents", params={"limit": 1}).status_code == 200


def test_comparisons_are_built_listed_and_served(client) -> None:
    created = client.post("/api/comparisons", json={"by": "meta.viewpoint"})
    assert created.status_code == 201, created.text
    info = created.json()
    assert info["stories"] >= 2 and info["url"] == f"/stories/{info['id']}"
    listed = client.get("/api/comparisons").json()
    assert info["id"] in {c["id"] for c in listed}
    result = client.get(f"/api/comparisons/{info['id']}").json()
    assert result["by"] == "meta.viewpoint"
    assert {"neutral", "pro-moscow", "pro-velaria"} <= {g["name"] for g in result["groups"]}
    again = client.post("/api/comparisons", json={"by": "meta.viewpoint"}).json()
    assert again["id"] == info["id"] and again["created"] is False
    bad = client.post("/api/comparisons", json={"by": "colour"})
    assert bad.status_code == 422 and "colour" in bad.json()["error"]


def test_comparison_of_explicit_groups(client) -> None:
    wire = [d["id"] for d in client.get("/api/documents", params={"outlet": "Continental Wire"}).json()["items"]]
    state = [d["id"] for d in client.get("/api/documents", params={"outlet": "Норд-Восток Медиа"}).json()["items"]]
    created = client.post("/api/comparisons", json={"groups": {"wire": wire, "state media": state}}).json()
    result = client.get(f"/api/comparisons/{created['id']}").json()
    assert result["by"] == "lists"
    groups = {g["name"]: set(g["documents"]) for g in result["groups"]}
    assert groups["wire"] == set(wire) and groups["state media"] == set(state) and "unlisted" in groups


def test_pages_render_for_every_grouping_and_period(client) -> None:
    html = {"accept": "text/html"}
    paths = [f"/actors/country:vl?by=outlet&period={p}" for p in ("year", "month", "week", "day")]
    paths += [f"/?period={p}" for p in ("year", "week", "day")]
    for by in ("source", "outlet", "author", "thread", "language", "document"):
        paths += [f"/actors/country:vl?by={by}", f"/techniques?by={by}", f"/narratives?by={by}"]
    for path in paths:
        response = client.get(path, headers=html)
        assert response.status_code == 200, (path, response.text[-500:])
