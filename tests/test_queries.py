"""Every saved query in warehouse/queries runs with `newsflow sql --file` on the clustered seed warehouse, and
the analytics SQL of issue 8 states its grain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_stories import seed_warehouse

WAREHOUSE_SQL = Path(__file__).resolve().parents[1] / "warehouse"
QUERIES = sorted((WAREHOUSE_SQL / "queries").glob("*.sql"))
# the analytics of issue 8 and what each must find on the seeds (a story, a syndicated pair, shared quotes)
ANALYTICS = ["staging/stg_syndication.sql", "staging/stg_stories.sql", "marts/mart_story_summary.sql",
             "marts/mart_who_said_what.sql", "marts/mart_quote_provenance.sql", "marts/mart_cooccurrence.sql"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, newsflow_cli):
    return seed_warehouse(tmp_path_factory, newsflow_cli)


def test_there_are_saved_queries():
    assert len(QUERIES) >= 6


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_saved_query_runs_and_returns_rows(query, warehouse, newsflow_cli):
    res = newsflow_cli("sql", "--file", query, "--warehouse", warehouse, "--format", "json")
    rows = json.loads(res.stdout)
    assert isinstance(rows, list) and rows, f"{query.name} returned no rows on the seed warehouse"
    assert query.read_text(encoding="utf-8").startswith("--"), "a saved query starts with a comment saying what"


@pytest.mark.parametrize("path", ANALYTICS)
def test_views_state_their_grain(path):
    header = (WAREHOUSE_SQL / path).read_text(encoding="utf-8").split("create or replace view")[0]
    assert "one row per" in header


def test_syndicated_copies_do_not_inflate_who_said_what(warehouse, newsflow_cli):
    rows = json.loads(newsflow_cli("sql", "select * from mart_who_said_what", "--warehouse", warehouse,
                                   "--format", "json").stdout)
    assert rows and all(r["n_sources"] <= r["n_documents"] for r in rows)
    # a quote carried by both copies of the syndicated text counts them as one source
    assert any(r["n_sources"] < r["n_documents"] for r in rows)
    prov = json.loads(newsflow_cli("sql", "select * from mart_quote_provenance where is_syndicated_copy",
                                   "--warehouse", warehouse, "--format", "json").stdout)
    assert prov and all(not r["is_first"] for r in prov)


def test_cooccurrence_pairs_are_ordered_and_counted_once_per_text(warehouse, newsflow_cli):
    rows = json.loads(newsflow_cli("sql", "select * from mart_cooccurrence", "--warehouse", warehouse,
                                   "--format", "json").stdout)
    assert rows and all(r["entity_a_id"] < r["entity_b_id"] and r["n_texts"] <= r["n_documents"] for r in rows)
    assert max(r["n_texts"] for r in rows) == 4  # five documents, two of them one text


def test_stg_quotes_keeps_who_the_report_says_spoke(warehouse, newsflow_cli):
    """'according to Y' makes Y the speaker; stg_quotes still carries the person the report says spoke (seed 001:
    the "complete cessation" Putin demanded, according to the Kremlin)."""
    rows = json.loads(newsflow_cli("sql", "select speaker, cue, reported_speaker from stg_quotes "
                                   "where reported_speaker is not null", "--warehouse", warehouse,
                                   "--format", "json").stdout)
    assert {"speaker": "Kremlin", "cue": "according", "reported_speaker": "Vladimir Putin"} in rows
    assert all(r["speaker"] and r["speaker"] != r["reported_speaker"] for r in rows)
