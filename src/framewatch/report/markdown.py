"""A comparison as Markdown: per story, who covers it, the roles each source gives, and the facts in
dispute, each with the exact sentence behind it."""

from __future__ import annotations

from typing import Any


def _quote(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def _groups(names: list[str]) -> str:
    return ", ".join(names) if names else "—"


def compare_markdown(result: dict[str, Any]) -> str:
    lines = [f"# Comparison {result['id']}", "",
             f"Grouped by **{result['by']}**: {len(result['groups'])} group(s), "
             f"{sum(len(g['documents']) for g in result['groups'])} document(s), "
             f"{len(result['stories'])} stor{'y' if len(result['stories']) == 1 else 'ies'}.", ""]
    for story in result["stories"]:
        lines += [f"## Story {story['id']}: {_quote(story['title'], 120)}", "",
                  f"Languages: {', '.join(story['languages'])}. Covered by: "
                  + "; ".join(f"{c['group']} ({len(c['documents'])})" for c in story["coverage"]), ""]
        if story["events"]:
            lines += ["### Events", "", "| source | type | who | whom | where | when | text |",
                      "|---|---|---|---|---|---|---|"]
            for e in story["events"]:
                kind = e["type"] + (f"/{e['subtype']}" if e.get("subtype") else "")
                lines.append(f"| {e['group']} | {kind} | {e['source'] or ''} | {e['target'] or ''} | "
                             f"{e['place'] or ''} | {e['date'] or ''} | {_quote(e['text'], 160)} |")
            lines.append("")
        contested = [a for a in story["actors"] if a["divergence"] > 0]
        if contested:
            lines += ["### Actors cast differently", ""]
            for actor in contested:
                lines.append(f"- **{actor['name']}** (`{actor['actor_id']}`, divergence {actor['divergence']:.2f})")
                for role in actor["roles"]:
                    evidence = role["evidence"][0]["text"] if role["evidence"] else ""
                    lines.append(f"  - {role['group']}: {role['main']} ({', '.join(role['fine'])}): "
                                 f"“{_quote(evidence)}”")
            lines.append("")
        disputed = [f for f in story["facts"] if f["contested"]]
        if disputed:
            lines += ["### Facts not every source states", ""]
            for fact in disputed:
                lines.append(f"- “{_quote(fact['text'])}”")
                lines.append(f"  - reported: {_groups(fact['reported_by'])}; alleged: {_groups(fact['alleged_by'])}; "
                             f"questioned: {_groups(fact['questioned_by'])}; denied: {_groups(fact['denied_by'])}; "
                             f"omitted: {_groups(fact['omitted_by'])}")
                for st in fact["statements"][1:]:
                    lines.append(f"  - {st['group']} ({st['status']}): “{_quote(st['text'])}”")
            lines.append("")
        if story["voices"]:
            lines += ["### Voices quoted", ""]
            lines += [f"- {v['group']}: {v['speaker']} ({v['claims']} claim(s))" for v in story["voices"]]
            lines.append("")
    divergent = [a for a in result["actors"] if a["divergence"] > 0]
    if divergent:
        lines += ["## Actors across the whole comparison", ""]
        for actor in divergent:
            roles = "; ".join(f"{r['group']}: {r['main']}" for r in actor["roles"])
            lines.append(f"- **{actor['name']}** (divergence {actor['divergence']:.2f}): {roles}")
        lines.append("")
    lines += ["## Technique profiles (hits per 1,000 words)", ""]
    for group, profile in result["profiles"]["techniques"].items():
        top = sorted(profile.items(), key=lambda kv: -kv[1])[:5]
        lines.append(f"- {group}: " + (", ".join(f"{t} {v}" for t, v in top) or "none found"))
    lines += ["", "## Narratives (documents)", ""]
    for group, profile in result["profiles"]["narratives"].items():
        lines.append(f"- {group}: " + (", ".join(f"{n} ({c})" for n, c in list(profile.items())[:4]) or "none found"))
    lines += ["", "## Whom each source cites and reposts", ""]
    for row in result["citations"]:
        cites = ", ".join(f"{c['name']} ({c['count']})" for c in row["cites"][:6]) or "nobody"
        reposts = ", ".join(r["name"] for r in row["reposts"][:4]) or "nothing"
        lines.append(f"- {row['group']}: cites {cites}; reposts {reposts}")
    if result["unaligned"]:
        lines += ["", f"{len(result['unaligned'])} document(s) share no story with another."]
    return "\n".join(lines) + "\n"
