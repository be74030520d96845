"""Story clusters, the incremental `update_clusters` over a real warehouse, and the seed run's groups and stories."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tasks.dedup import CONTAINMENT_MIN, containment, jaccard, signature
from tasks.records import Doc, Mention, Paragraph, SourceFile
from tasks.stories import (
    STORY_MIN,
    WINDOW_DAYS,
    Profile,
    assign_stories,
    keywords,
    link_score,
    top_entities,
    update_clusters,
)
from tasks.write import refresh_entities, refresh_views, write_batch
from tests.conftest import SAMPLE

_FILLER = [f"x{i}" for i in range(3000)]
_TOPICS = {
    "volcano": "volcano eruption lava evacuation island ash flights scientists village residents crater plume "
               "magma tremors airport shelters coastguard geologists warning",
    "match": "striker goal penalty referee stadium keeper midfield supporters league trophy season coach "
             "defender injury transfer fixture club tactics",
}


def _text(topic: str, seed: int, n: int = 300) -> str:
    """Synthetic article: half the words from the topic's vocabulary, half from a large filler vocabulary."""
    rng = random.Random(seed)
    pool = _TOPICS[topic].split()
    words = [rng.choice(pool) if rng.random() < 0.5 else rng.choice(_FILLER) for _ in range(n)]
    return "\n\n".join(" ".join(words[i : i + 50]) + "." for i in range(0, n, 50))


def _p(doc_id: str, day: int, topic: str, seed: int, ents: str = "a b c") -> Profile:
    return Profile(doc_id, date(2025, 3, day), frozenset(ents.split()), frozenset(keywords(_text(topic, seed))))


def test_keywords_are_frequent_content_words():
    assert keywords("The ceasefire, the ceasefire and THE talks: talks, talks; it is over.", 2) == ["talks",
                                                                                                   "ceasefire"]
    assert keywords("und der die das ist", 5) == []


def test_top_entities_by_mentions_then_id():
    assert top_entities(["b", "a", "b", "c", "a", "b"], 2) == ["b", "a"]


def test_link_score_needs_shared_entities_when_both_have_them():
    a, b = _p("a", 1, "volcano", 1, "e1 e2 e3"), _p("b", 1, "volcano", 2, "e1 e2 e9")
    assert link_score(a, b) >= STORY_MIN
    assert link_score(a, _p("c", 1, "volcano", 2, "e1 e8 e9")) == 0.0  # one shared entity is not enough
    assert link_score(a, _p("d", 1, "volcano", 2, "")) >= STORY_MIN  # no entities (no NER): text decides
    assert link_score(a, _p("e", 1, "match", 3, "e1 e2 e3")) < STORY_MIN


def test_same_event_within_the_window_forms_one_story():
    profiles = [_p("a", 1, "volcano", 1), _p("b", 2, "volcano", 2), _p("c", 2, "match", 3),
                _p("d", 1 + WINDOW_DAYS + 2, "volcano", 4), _p("e", 3, "match", 5)]
    rows = {r["doc_id"]: r for r in assign_stories([], {}, profiles)}
    assert rows["a"]["story_id"] == "a" and rows["a"]["matched_doc_id"] is None
    assert rows["b"]["story_id"] == "a" and rows["b"]["score"] >= STORY_MIN
    assert rows["c"]["story_id"] == "c" and rows["e"]["story_id"] == "c"
    # d is 2+WINDOW_DAYS after a and WINDOW_DAYS+1 after b: outside the window of both
    assert rows["d"]["story_id"] == "d"


def test_a_syndicated_copy_joins_its_original_story_whatever_its_words():
    rows = assign_stories([_p("a", 1, "volcano", 1)], {"a": "a"}, [_p("b", 9, "match", 2)], copies={"b": "a"})
    assert rows[0]["story_id"] == "a" and rows[0]["score"] == 1.0


def test_incremental_equals_all_at_once():
    profiles = [_p(f"d{i}", 1 + i % 3, "volcano" if i % 2 else "match", i) for i in range(8)]
    at_once = {r["doc_id"]: r["story_id"] for r in assign_stories([], {}, profiles)}
    first = {r["doc_id"]: r["story_id"] for r in assign_stories([], {}, profiles[:5])}
    later = assign_stories(profiles[:5], first, profiles[5:])
    assert {**first, **{r["doc_id"]: r["story_id"] for r in later}} == at_once
    assert len(set(at_once.values())) == 2


# -- update_clusters over a warehouse -------------------------------------------------------------------------


def _doc(batch: str, name: str, text: str, ents: list[str], published: date | None = None, version: str = "") -> Doc:
    d = Doc(SourceFile(batch, f"{batch}/{name}", f"/in/{batch}/{name}", 10, 1), f"{name}{batch}{version}".encode()
            .hex().ljust(64, "0")[:64], b"", 0.0)
    d.text, d.language, d.published = text, "en", published
    d.paragraphs = [Paragraph(0, text)]
    d.mentions = [Mention(e, "ORG", 0, 1, e, e) for e in ents]
    return d


def _views(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "newsflow.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_update_clusters_is_incremental_and_feeds_the_views(tmp_path):
    volcano = _text("volcano", 1)
    b1 = [_doc("2025-03-01", "a", volcano, ["e1", "e2", "e3"]),
          _doc("2025-03-01", "b", "„" + volcano + "“\n\nShare this article", ["e1", "e2", "e3"]),
          _doc("2025-03-01", "c", _text("match", 2), ["e7", "e8"])]
    write_batch(tmp_path, "2025-03-01", "r1", b1, [])
    assert update_clusters(tmp_path) == {"new_documents": 3, "syndicated": 1, "groups": 1, "new_stories": 2}
    assert update_clusters(tmp_path)["new_documents"] == 0  # nothing new: nothing recomputed or rewritten
    b2 = [_doc("2025-03-02", "d", _text("volcano", 3), ["e1", "e2", "e5"]),
          _doc("2025-02-27", "e", volcano, ["e1", "e2", "e3"], published=date(2025, 2, 27))]
    write_batch(tmp_path, "2025-03-02", "r2", b2, [])
    counts = update_clusters(tmp_path)
    assert counts == {"new_documents": 2, "syndicated": 1, "groups": 1, "new_stories": 0}
    refresh_entities(tmp_path)
    refresh_views(tmp_path)
    ids = {d.source.source_path.split("/")[1]: d.doc_id for d in b1 + b2}
    groups = _views(tmp_path, "select doc_id, group_id, is_earliest, similarity from syndication_groups")
    by_doc = {r[0]: r for r in groups}
    assert set(by_doc) == {ids["a"], ids["b"], ids["e"]}
    # e arrived last but was published first: the group keeps its id, e is now its earliest
    assert {r[1] for r in groups} == {ids["a"]}
    assert by_doc[ids["e"]][2] and not by_doc[ids["a"]][2] and by_doc[ids["a"]][3] == 1.0
    stories = dict(_views(tmp_path, "select doc_id, story_id from story_clusters"))
    assert stories[ids["d"]] == stories[ids["a"]] == stories[ids["e"]] != stories[ids["c"]]
    summary = _views(tmp_path, "select n_documents, n_texts, first_seen from mart_story_summary order by 1 desc")
    assert summary[0] == (4, 2, date(2025, 2, 27))


def test_a_reprocessed_file_with_new_content_replaces_its_rows(tmp_path):
    old = _doc("b", "a", _text("volcano", 1), ["e1", "e2"])
    write_batch(tmp_path, "b", "r1", [old], [])
    update_clusters(tmp_path)
    new = _doc("b", "a", _text("match", 2), ["e7", "e8"], version="2")  # the file changed: a new doc_id
    write_batch(tmp_path, "b", "r2", [new], [])
    assert update_clusters(tmp_path)["new_documents"] == 1
    refresh_views(tmp_path)
    for table in ("signatures", "syndication", "stories"):
        assert _views(tmp_path, f"select doc_id from {table}") == [(new.doc_id,)], table


# -- the seeds -----------------------------------------------------------------------------------------------


def seed_warehouse(tmp_path_factory, newsflow_cli) -> Path:
    """The sample run's warehouse, clustered and with views (built once per test session)."""
    wh = tmp_path_factory.getbasetemp() / "clusters-seed-warehouse"
    if not (wh / ".clustered").exists():
        newsflow_cli("run", SAMPLE, "--warehouse", wh, "--quiet")
        update_clusters(wh)
        refresh_views(wh)
        (wh / ".clustered").touch()
    return wh


@pytest.fixture(scope="module")
def seeds(tmp_path_factory, newsflow_cli):
    wh = seed_warehouse(tmp_path_factory, newsflow_cli)
    files = dict(_views(wh, "select regexp_extract(source_path, '/(\\d{3})_', 1), doc_id from documents"))
    return wh, files


def test_seeds_000_and_002_are_one_syndication_group(seeds):
    wh, ids = seeds
    rows = _views(wh, "select doc_id, group_id, is_earliest, similarity from syndication_groups")
    assert {r[0] for r in rows} == {ids["000"], ids["002"]}
    assert len({r[1] for r in rows}) == 1
    assert [r[0] for r in rows if r[2]] == [ids["000"]]  # published 2025-03-18, before the batch's day


def test_all_five_seeds_are_one_story(seeds):
    wh, ids = seeds
    stories = dict(_views(wh, "select doc_id, story_id from story_clusters"))
    assert set(stories) == set(ids.values()) and len(set(stories.values())) == 1
    label, n_docs, n_texts = _views(wh, "select label, n_documents, n_texts from mart_story_summary")[0]
    assert (n_docs, n_texts) == (5, 4) and "Putin" in label


def test_seed_copy_matches_even_before_cleaning(seeds):
    """The German blog's raw text (German quote marks, extra boilerplate) is still a near copy of the AFP story."""
    wh, ids = seeds
    raw = dict(_views(wh, "select doc_id, raw_text from documents"))
    sigs = {k: signature(k, raw[v], date(2025, 3, 20)) for k, v in ids.items()}

    def cont(a, b):
        return containment(jaccard(sigs[a].minhash, sigs[b].minhash), sigs[a].n_shingles, sigs[b].n_shingles)

    assert sigs["000"].text_hash != sigs["002"].text_hash
    assert cont("000", "002") >= CONTAINMENT_MIN
    assert all(cont(a, b) < CONTAINMENT_MIN for a in ids for b in ids if a < b and (a, b) != ("000", "002"))
