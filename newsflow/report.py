"""A self-contained HTML report of a warehouse: charts of the top speakers, the entity timeline, the story
clusters and the rejects by reason, plus tables of the stories and syndication groups.

Charts are drawn with matplotlib as inline SVG (text drawn as paths): the page needs no script, font or network
to display, and each chart is an <svg> inside a <figure class="chart" id="chart-...">.
"""

from __future__ import annotations

import html
import io
import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from tasks import reasons
from tasks.write import open_catalog

matplotlib.rcParams.update({"svg.fonttype": "path", "svg.hashsalt": "newsflow", "font.size": 9})
REJECT_REASONS = list(reasons.FILE_REJECTS)
_BLUE, _GREY, _ORANGE = "#3b6ea8", "#b8c4d0", "#d9822b"


def _rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # the RDF metadata block only names namespaces; dropped so the page carries no URL but the xmlns ones
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


def chart_top_speakers(rows: list[dict]) -> str:
    """Horizontal bars: quotes and distinct quotes (syndicated copies once) of the ten most quoted speakers."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    rows = rows[:10][::-1]
    if not rows:
        _empty(ax, "no attributed quotes")
    else:
        y = range(len(rows))
        ax.barh([i + 0.2 for i in y], [r["n_quotes"] for r in rows], 0.4, color=_BLUE, label="quotes")
        ax.barh([i - 0.2 for i in y], [r["n_distinct_quotes"] for r in rows], 0.4, color=_ORANGE,
                label="distinct quotes (copies once)")
        ax.set_yticks(list(y), [_short(r["speaker"], 30) for r in rows])
        ax.set_xlabel("quotes")
        ax.legend(loc="lower right", frameon=False)
    ax.set_title("Top speakers")
    return _svg(fig)


def chart_entity_timeline(rows: list[dict]) -> str:
    """Mentions per day of the six most mentioned entities (all outlets; rows of day, entity, n_mentions)."""
    fig = Figure(figsize=(7, 3.4))
    ax = fig.subplots()
    totals: dict[str, int] = defaultdict(int)
    series: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        totals[r["entity"]] += r["n_mentions"]
        series[r["entity"]][r["day"]] += r["n_mentions"]
    top = sorted(totals, key=lambda e: (-totals[e], e))[:6]
    if not top:
        _empty(ax, "no entity mentions")
    else:
        days = sorted({d for e in top for d in series[e]})
        for e in top:
            ax.plot([str(d) for d in days], [series[e].get(d, 0) for d in days], marker="o", label=_short(e, 25))
        ax.set_ylabel("mentions")
        ax.legend(fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_title("Entity timeline (mentions per day)")
    return _svg(fig)


def chart_stories(rows: list[dict]) -> str:
    """Stacked bars of the largest stories: distinct texts, plus syndicated copies of them."""
    fig = Figure(figsize=(7, 3.4))
    ax = fig.subplots()
    rows = rows[:10][::-1]
    ax.set_ylim(-0.6, max(len(rows), 5) - 0.4)  # bars keep one thickness however few stories there are
    if not rows:
        _empty(ax, "no stories yet")
    else:
        y = list(range(len(rows)))
        texts = [r["n_texts"] for r in rows]
        copies = [r["n_documents"] - r["n_texts"] for r in rows]
        ax.barh(y, texts, 0.7, color=_BLUE, label="distinct texts")
        ax.barh(y, copies, 0.7, left=texts, color=_GREY, label="syndicated copies")
        ax.set_yticks(y, [_short(f"{r['label']} ({r['first_seen']})", 45) for r in rows])
        ax.set_xlabel("documents")
        ax.legend(loc="upper right", frameon=False)
    ax.set_title("Story clusters")
    return _svg(fig)


def chart_rejects(rows: list[dict]) -> str:
    """Bars of rejected files per reason, every known reason shown (zero included)."""
    fig = Figure(figsize=(7, 3.0))
    ax = fig.subplots()
    counts = {r["reason"]: r["n"] for r in rows}
    names = REJECT_REASONS + sorted(set(counts) - set(REJECT_REASONS))
    ax.bar(range(len(names)), [counts.get(n, 0) for n in names], color=_ORANGE)
    ax.set_xticks(range(len(names)), names, rotation=40, ha="right")
    ax.set_ylabel("files")
    ax.set_ylim(0, max([1, *counts.values()]) * 1.15)
    ax.set_title(f"Rejects by reason ({sum(counts.values())} files)")
    return _svg(fig)


def _table(rows: list[dict], columns: list[str]) -> str:
    if not rows:
        return "<p class='none'>none</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(r[c]))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(v) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, float):
        return f"{v:.3f}"
    return "" if v is None else str(v)


_CSS = """
body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:1em}
figure.chart{margin:0;border:1px solid #ddd;padding:.5em;background:#fff}
figure.chart svg{width:100%;height:auto}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left}
.none{color:#777}.meta{color:#555}
"""


def render_report(data: dict, generated: str) -> str:
    """The report page for query results `data` (see write_report)."""
    charts = [
        ("top-speakers", chart_top_speakers(data["speakers"])),
        ("entity-timeline", chart_entity_timeline(data["timeline"])),
        ("story-clusters", chart_stories(data["stories"])),
        ("rejects", chart_rejects(data["rejects"])),
    ]
    figures = "".join(f'<figure class="chart" id="chart-{name}">{svg}</figure>' for name, svg in charts)
    c = data["counts"]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>newsflow report</title>"
        f"<style>{_CSS}</style></head><body><h1>newsflow report</h1>"
        f"<p class='meta'>{c['documents']} documents, {c['stories']} stories, {c['groups']} syndication groups, "
        f"{c['quotes']} quotes, {c['rejects']} rejects; generated {html.escape(generated)}</p>"
        f"<div class='charts'>{figures}</div>"
        "<h2>Stories</h2>"
        + _table(data["stories"][:20], ["label", "first_seen", "last_seen", "n_documents", "n_texts", "outlets"])
        + "<h2>Syndication groups</h2>"
        + _table(data["groups"][:50], ["group_id", "doc_id", "outlet", "day", "similarity", "is_earliest"])
        + "</body></html>"
    )


def write_report(warehouse: str, out: Path) -> Path:
    """Write the HTML report of `warehouse` to `out` (folders created); returns `out`.

    Raises FileNotFoundError when there is no warehouse there (see tasks.write.open_catalog).
    """
    con = open_catalog(warehouse)
    try:
        data = {
            "speakers": _rows(con, "select * from mart_top_speakers limit 10"),
            # by the day a document counts for in story_clusters (published, else its batch's date): the ingest
            # day that stg_documents falls back to puts undated articles on the day they were processed
            "timeline": _rows(con, """
                select stories.day, entities.name as entity, count(*) as n_mentions
                from mentions
                join story_clusters as stories using (doc_id)
                join entities using (entity_id)
                group by stories.day, entities.name
            """),
            "stories": _rows(con, "select * from mart_story_summary"),
            "groups": _rows(con, "select * from syndication_groups"),
            "rejects": _rows(con, "select reason, count(*) as n from rejects group by reason"),
            "counts": _rows(con, """
                select (select count(*) from documents) as documents,
                       (select count(*) from mart_story_summary) as stories,
                       (select count(distinct group_id) from syndication_groups) as groups,
                       (select count(*) from quotes) as quotes,
                       (select count(*) from rejects) as rejects
            """)[0],
        }
    finally:
        con.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")), encoding="utf-8")
    return out
