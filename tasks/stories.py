"""Story clusters: documents about the same event within a time window, found incrementally; and the
orchestration hook `update_clusters` that brings the signatures, syndication groups and stories up to date.

Method (one new document at a time, earliest first)
- A syndicated copy (tasks/dedup.py) belongs to the story of the document it copies.
- Otherwise its candidates are the documents whose day is within WINDOW_DAYS of its own. A candidate links when
  the two share at least MIN_SHARED_ENTITIES of their most mentioned canonical entities (skipped when either has
  no entities, e.g. German documents, which get no NER yet) and the Jaccard similarity of their keyword sets
  (the KEYWORDS most frequent content words) is at least STORY_MIN. The document joins the story of the best
  linking candidate, else starts a story named after itself. Stored links are never rewritten: story ids are
  stable, and a later document that would bridge two stories joins only the one it is closest to.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa
from spacy.lang.de.stop_words import STOP_WORDS as _DE_STOP
from spacy.lang.en.stop_words import STOP_WORDS as _EN_STOP

import schemas
from tasks.dedup import Signature, assign_groups, decode_minhash, encode_minhash, event_day, signature, text_words
from tasks.storage import Location
from tasks.write import _scan, batch_file, read_rows, write_table

STOP_WORDS = frozenset(_EN_STOP | _DE_STOP)
KEYWORDS = 20
TOP_ENTITIES = 10
# Coverage of one event spreads over a few days (the day after, weekend editions); a wider window mostly adds
# candidates from follow-up events. A design choice, not a measured figure (no dated event-labelled corpus here).
WINDOW_DAYS = 3
# Keyword-set Jaccard at which two documents tell one story. Measured on the 2,225 BBC articles (bench/
# bench_clusters.py --calibrate): among pairs of the same topic section, 99.9% score below 0.29, and a random
# sample of pairs scoring 0.2-0.3 were related topics (two budget stories, two Labour stories), not one event.
STORY_MIN = 0.3
# Two documents about one event name the same actors; one shared name (a country, a party) is common to
# unrelated stories of a section.
MIN_SHARED_ENTITIES = 2


@dataclass(frozen=True)
class Profile:
    """What a document is about: its day, its top entities and keywords."""

    doc_id: str
    day: date
    entities: frozenset[str]
    keywords: frozenset[str]


def keywords(text: str, k: int = KEYWORDS) -> list[str]:
    """The k most frequent content words (alphabetic, 3+ letters, not stop words), ties alphabetically."""
    counts = Counter(w for w in text_words(text) if w.isalpha() and len(w) >= 3 and w not in STOP_WORDS)
    return [w for w, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:k]]


def top_entities(entity_ids: list[str], k: int = TOP_ENTITIES) -> list[str]:
    """The k entity ids mentioned most often (one item per mention), ties by id."""
    return [e for e, _ in sorted(Counter(entity_ids).items(), key=lambda x: (-x[1], x[0]))[:k]]


def link_score(a: Profile, b: Profile) -> float:
    """Keyword Jaccard of two documents, or 0 when both have entities and share fewer than MIN_SHARED_ENTITIES."""
    if a.entities and b.entities and len(a.entities & b.entities) < MIN_SHARED_ENTITIES:
        return 0.0
    union = len(a.keywords | b.keywords)
    return len(a.keywords & b.keywords) / union if union else 0.0


def assign_stories(existing: list[Profile], stories: dict[str, str], new: list[Profile],
                   copies: dict[str, str] | None = None) -> list[dict]:
    """Story rows (doc_id, story_id, matched_doc_id, score) for the `new` profiles.

    `existing` are profiles already assigned (only those near the new days are needed), `stories` their
    doc_id -> story_id, `copies` new doc_id -> the doc_id it is a syndicated copy of.
    """
    copies = copies or {}
    stories = dict(stories)
    pool: list[Profile] = []
    postings: dict[tuple[int, str], list[int]] = {}  # (day ordinal, keyword) -> pool indices: the window is a range

    def add(p: Profile) -> None:
        for w in p.keywords:
            postings.setdefault((p.day.toordinal(), w), []).append(len(pool))
        pool.append(p)

    for p in existing:
        add(p)
    rows = []
    for p in sorted(new, key=lambda p: (p.day, p.doc_id)):
        best, match = (STORY_MIN, ""), None
        if copies.get(p.doc_id) in stories:
            best, match = (1.0, ""), copies[p.doc_id]
        else:
            day = p.day.toordinal()
            shared = Counter(i for d in range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1) for w in p.keywords
                             for i in postings.get((d, w), ()))
            for i, n in shared.items():
                c = pool[i]
                if n < _min_shared(p, c):  # too few shared keywords to reach STORY_MIN: skip unscored
                    continue
                score = link_score(p, c)
                if (score, c.doc_id) >= best and score >= STORY_MIN:
                    best, match = (score, c.doc_id), c.doc_id
        story = stories[match] if match else p.doc_id
        stories[p.doc_id] = story
        rows.append({"doc_id": p.doc_id, "story_id": story, "matched_doc_id": match,
                     "score": round(best[0], 4) if match else 1.0})
        add(p)
    return rows


def _min_shared(a: Profile, b: Profile) -> int:
    # |A∩B| / (|A|+|B|-|A∩B|) >= t  <=>  |A∩B| >= t(|A|+|B|)/(1+t)
    return math.ceil(STORY_MIN * (len(a.keywords) + len(b.keywords)) / (1 + STORY_MIN) - 1e-9)


# -- the warehouse side ---------------------------------------------------------------------------------------


def _read_table(root: Location, table: str, columns: list[str]) -> pa.Table:
    con = duckdb.connect()
    try:
        src = _scan(con, root, table)
        if src is None:
            return pa.table({c: pa.array([], schemas.ALL_TABLES[table].field(c).type) for c in columns})
        cols = ", ".join(f'"{c}"' for c in columns)
        return con.sql(f"select {cols} from {src}").to_arrow_table()
    finally:
        con.close()


def _new_documents(root: Location, known: set[str]) -> list[dict]:
    """doc_id, batch, text, day and entity ids of the documents that have no signature yet."""
    con = duckdb.connect()
    try:
        docs_src = _scan(con, root, "documents")
        if docs_src is None:
            return []
        con.register("known", pa.table({"doc_id": pa.array(sorted(known), pa.string())}))
        docs = con.sql(
            f"select doc_id, batch, text, published, ingested_at from {docs_src} "
            "where doc_id not in (select doc_id from known) order by doc_id"
        ).to_arrow_table().to_pylist()
        mentions: dict[str, list[str]] = {}
        men_src = _scan(con, root, "mentions")
        if men_src is not None and docs:
            con.register("new_docs", pa.table({"doc_id": pa.array([d["doc_id"] for d in docs], pa.string())}))
            for doc_id, ids in con.sql(
                f"select doc_id, list(entity_id) from {men_src} where doc_id in (select doc_id from new_docs) "
                "group by doc_id"
            ).fetchall():
                mentions[doc_id] = ids
    finally:
        con.close()
    for d in docs:
        d["day"] = event_day(d["published"], d["batch"], d["ingested_at"])
        d["entity_ids"] = mentions.get(d["doc_id"], [])
    return docs


def signature_rows(docs: list[dict]) -> list[dict]:
    """Rows of the `signatures` table for documents (doc_id, batch, text, day, entity_ids)."""
    rows = []
    for d in docs:
        sig = signature(d["doc_id"], d["text"], d["day"])
        rows.append({"doc_id": d["doc_id"], "batch": d["batch"], "day": d["day"], "text_hash": sig.text_hash,
                     "n_shingles": sig.n_shingles, "minhash": encode_minhash(sig.minhash),
                     "entities": top_entities(d["entity_ids"]), "keywords": keywords(d["text"])})
    return rows


def _append(root: Location, table: str, rows: list[dict], live: dict[str, set[str]], keep_new: bool = True) -> None:
    """Add rows to their batches' files, dropping rows of documents no longer in the batch's documents (with
    keep_new=False, rows only name the batches to clean)."""
    by_batch: dict[str, list[dict]] = {}
    for r in rows:
        by_batch.setdefault(r["batch"], []).append(r)
    for batch, new in by_batch.items():
        path = batch_file(root, table, batch)
        if not keep_new and not path.exists():
            continue
        old = [r for r in read_rows(path) if r["doc_id"] in live.get(batch, set())]
        write_table(old + (new if keep_new else []), schemas.ALL_TABLES[table], path)


def update_clusters(root) -> dict[str, int]:
    """Give every document without a signature its signature, syndication group and story.

    Reads the signatures, syndication and stories already stored and the new documents (with their mentions);
    writes only the batches of new documents. Returns counts: new documents, syndicated copies among them,
    groups with more than one member they joined or formed, stories they started. Raises OSError on I/O errors.
    Call under the warehouse lock, after a run's batches are written and before the views are refreshed.
    """
    root = Location.of(root)
    live: dict[str, set[str]] = {}
    for r in _read_table(root, "documents", ["doc_id", "batch"]).to_pylist():
        live.setdefault(r["batch"], set()).add(r["doc_id"])
    stored = _read_table(root, "signatures", ["doc_id", "batch", "day", "text_hash", "n_shingles", "minhash",
                                              "entities", "keywords"]).to_pylist()
    # rows of documents no longer in their batch (a file changed and reprocessed has a new doc_id) are dropped
    stale = {s["batch"] for s in stored if s["doc_id"] not in live.get(s["batch"], set())}
    stored = [s for s in stored if s["batch"] not in stale or s["doc_id"] in live[s["batch"]]]
    for table in ("signatures", "syndication", "stories"):
        for batch in stale:
            _append(root, table, [{"batch": batch}], live, keep_new=False)
    docs = _new_documents(root, {s["doc_id"] for s in stored})
    if not docs:
        return {"new_documents": 0, "syndicated": 0, "groups": 0, "new_stories": 0}
    sig_rows = signature_rows(docs)
    existing = [Signature(s["doc_id"], s["day"], s["text_hash"], decode_minhash(s["minhash"]), s["n_shingles"])
                for s in stored]
    groups = {r["doc_id"]: r["group_id"] for r in _read_table(root, "syndication", ["doc_id", "group_id"]).to_pylist()}
    new_sigs = [Signature(r["doc_id"], r["day"], r["text_hash"], decode_minhash(r["minhash"]), r["n_shingles"])
                for r in sig_rows]
    syn_rows = assign_groups(existing, groups, new_sigs)
    lo = min(d["day"] for d in docs).toordinal() - WINDOW_DAYS
    hi = max(d["day"] for d in docs).toordinal() + WINDOW_DAYS
    near = [_profile(s) for s in stored if lo <= s["day"].toordinal() <= hi]
    near_ids = {p.doc_id for p in near}
    stories = {r["doc_id"]: r["story_id"] for r in _read_table(root, "stories", ["doc_id", "story_id"]).to_pylist()
               if r["doc_id"] in near_ids}
    copies = {r["doc_id"]: r["matched_doc_id"] for r in syn_rows if r["matched_doc_id"]}
    # a copy of a document outside the window still joins that document's story
    far = {c for c in copies.values() if c not in near_ids and c not in {d["doc_id"] for d in docs}}
    if far:
        stories.update({r["doc_id"]: r["story_id"] for r in _read_table(root, "stories", ["doc_id", "story_id"])
                        .to_pylist() if r["doc_id"] in far})
    story_rows = assign_stories(near, stories, [_profile(r) for r in sig_rows], copies)
    batch_of = {d["doc_id"]: d["batch"] for d in docs}
    for r in syn_rows + story_rows:
        r["batch"] = batch_of[r["doc_id"]]
    _append(root, "signatures", sig_rows, live)
    _append(root, "syndication", syn_rows, live)
    _append(root, "stories", story_rows, live)
    joined = {r["group_id"] for r in syn_rows if r["matched_doc_id"]}
    return {"new_documents": len(docs), "syndicated": sum(1 for r in syn_rows if r["matched_doc_id"]),
            "groups": len(joined), "new_stories": sum(1 for r in story_rows if not r["matched_doc_id"])}


def _profile(row: dict) -> Profile:
    return Profile(row["doc_id"], row["day"], frozenset(row["entities"]), frozenset(row["keywords"]))
