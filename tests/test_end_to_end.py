"""The whole pipeline through the `newsflow` command: the seeds into a temporary warehouse, checked with SQL."""

import gzip
import json
import shutil

import pytest

from tasks.write import WarehouseLock

from .conftest import SAMPLE

BATCH = "2025-03-20"


@pytest.fixture(scope="module")
def wh(tmp_path_factory, newsflow_cli):
    """A warehouse after one run over a copy of the sample input."""
    base = tmp_path_factory.mktemp("e2e")
    shutil.copytree(SAMPLE, base / "input")
    res = newsflow_cli("run", base / "input", "--warehouse", base / "wh")
    assert "documents written 5" in res.stdout, res.stdout
    return base


def sql(cli, wh, query):
    return json.loads(cli("sql", query, "--warehouse", wh / "wh", "--format", "json").stdout)


def counts(cli, wh):
    tables = ["documents", "paragraphs", "mentions", "quotes", "entities", "rejects", "files"]
    q = " union all ".join(f"select '{t}' as t, count(*) as n from {t}" for t in tables)
    return {r["t"]: r["n"] for r in sql(cli, wh, q)}


def test_first_run_tables(wh, newsflow_cli):
    docs = sql(newsflow_cli, wh, "select source_path, batch, language, n_chars, doc_id, content_sha256 from documents")
    assert len(docs) == 5
    assert {d["language"] for d in docs} == {"en"} and {d["batch"] for d in docs} == {BATCH}
    assert all(d["source_path"].startswith(f"{BATCH}/") and d["n_chars"] > 1000 for d in docs)
    assert all(d["content_sha256"].startswith(d["doc_id"]) for d in docs)
    c = counts(newsflow_cli, wh)
    assert c["mentions"] > 100 and c["entities"] > 10 and c["rejects"] == 0 and c["files"] == 5
    speakers = sql(newsflow_cli, wh, "select speaker, n_quotes from mart_top_speakers")
    assert speakers and speakers[0]["n_quotes"] >= 3
    # offsets point into documents.text
    bad = sql(newsflow_cli, wh, """
        select count(*) as n from quotes q join documents d using (doc_id) where substr(d.text, q.start + 1, q."end" - q.start) <> q.text
        union all
        select count(*) from mentions m join documents d using (doc_id) where substr(d.text, m.start + 1, m."end" - m.start) <> m.text""")
    assert [r["n"] for r in bad] == [0, 0]


def test_rerun_is_idempotent(wh, newsflow_cli):
    before = counts(newsflow_cli, wh)
    res = newsflow_cli("run", wh / "input", "--warehouse", wh / "wh", "--quiet")
    assert "new 0" in res.stdout
    assert counts(newsflow_cli, wh) == before
    runs = sql(newsflow_cli, wh, "select status, n_files_new from runs order by started_at")
    assert [r["status"] for r in runs] == ["completed", "completed"] and runs[-1]["n_files_new"] == 0


def test_backfill_does_nothing_unless_forced_then_replaces_the_batch(wh, newsflow_cli):
    before = counts(newsflow_cli, wh)
    res = newsflow_cli("backfill", wh / "input" / BATCH, "--warehouse", wh / "wh", "--quiet")
    assert "new 0" in res.stdout and counts(newsflow_cli, wh) == before
    newsflow_cli("backfill", "--input-root", wh / "input", "--since", BATCH, "--until", BATCH,
                 "--warehouse", wh / "wh", "--force", "--quiet")
    assert counts(newsflow_cli, wh) == before
    runs = sql(newsflow_cli, wh, "select run_id, n_files_new from runs where flow = 'backfill' order by started_at")
    assert [r["n_files_new"] for r in runs] == [0, 5]
    # every document row now comes from the forced run
    assert {d["run_id"] for d in sql(newsflow_cli, wh, "select distinct run_id from documents")} == {runs[-1]["run_id"]}


def test_bad_files_are_rejects_and_the_batch_goes_on(wh, newsflow_cli):
    inp = wh / "input"
    (inp / "2025-03-21").mkdir()
    day = inp / "2025-03-21"
    (day / "empty.txt").write_bytes(b"")
    (day / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (day / "broken.txt").write_bytes(b"\xef\xbb\xbfvalid start \xff\xfe\xfa then garbage")
    (day / "cut.txt.gz").write_bytes(gzip.compress(b"Some text " * 200)[:40])
    body = "".join(f"<p>Paragraph {i}: the city council approved the new budget on Tuesday, the mayor said.</p>"
                   for i in range(6))
    page = f"<html><head><title>Budget passes</title></head><body><article><h1>Budget passes</h1>{body}</article></body></html>"
    (day / "page.html.gz").write_bytes(gzip.compress(page.encode()))
    (inp / BATCH / "late.txt").write_text("Late arrival\n\n" + "A file added to a batch after its first run is processed by the next run. " * 3)
    newsflow_cli("run", inp, "--warehouse", wh / "wh", "--quiet")
    rejects = sql(newsflow_cli, wh, "select source_path, reason, detail from rejects order by source_path")
    assert [(r["source_path"], r["reason"]) for r in rejects] == [
        ("2025-03-21/broken.txt", "undecodable"),
        ("2025-03-21/cut.txt.gz", "corrupt_gzip"),
        ("2025-03-21/empty.txt", "empty_file"),
        ("2025-03-21/image.txt", "binary_file"),
    ]
    assert all(r["detail"] for r in rejects)
    docs = sql(newsflow_cli, wh, "select source_path, title from documents order by source_path")
    paths = [d["source_path"] for d in docs]
    assert len(paths) == 7 and f"{BATCH}/late.txt" in paths and "2025-03-21/page.html.gz" in paths
    assert {d["title"] for d in docs if d["source_path"].endswith(".html.gz")} == {"Budget passes"}


def test_sql_json_is_exact(wh, newsflow_cli):
    out = newsflow_cli("sql", "select 1 as a, 'x' as b, date '2025-03-18' as d, [1, 2] as l, null as n, 1.5 as f",
                       "--warehouse", wh / "wh", "--format", "json").stdout
    assert json.loads(out) == [{"a": 1, "b": "x", "d": "2025-03-18", "l": [1, 2], "n": None, "f": 1.5}]
    csv_out = newsflow_cli("sql", "select 1 as a, 'x' as b", "--warehouse", wh / "wh", "--format", "csv").stdout
    assert csv_out.splitlines() == ["a,b", "1,x"]


def test_status(wh, newsflow_cli):
    out = newsflow_cli("status", "--warehouse", wh / "wh").stdout
    assert "recent runs" in out and "documents" in out


def test_second_run_at_once_stops_with_a_clear_message(wh, newsflow_cli):
    with WarehouseLock(wh / "wh"):
        res = newsflow_cli("run", wh / "input", "--warehouse", wh / "wh", check=False)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1].startswith("newsflow: error: another newsflow run")


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "/no/such/folder"], "input folder not found"),
        (["backfill", "/no/such/folder"], "backfill folder not found"),
        (["run", "--processes", "0"], "must be 1 or more"),
        (["sql", "select * from nope", "--warehouse", "{wh}"], "query failed"),
        (["sql", "select 1", "--warehouse", "/no/such/warehouse"], "no warehouse at"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_mistakes_get_one_line(wh, newsflow_cli, args, message):
    res = newsflow_cli(*[a.replace("{wh}", str(wh / "wh")) for a in args], check=False)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and message in res.stderr


def test_a_model_that_is_not_installed_is_one_line(tmp_path, monkeypatch, newsflow_cli):
    """NEWSFLOW_MODEL naming no installed model fails before any flow starts, in one line (it was a traceback from
    the first batch, naming the fallback model instead), and writes nothing."""
    monkeypatch.setenv("NEWSFLOW_MODEL", "no_such_model_xyz")
    res = newsflow_cli("run", "--warehouse", tmp_path / "wh", check=False)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "spaCy model 'no_such_model_xyz' is not installed" in res.stderr
    assert not [f for f in (tmp_path / "wh").rglob("*") if f.name != ".lock"]  # at most the lock file
