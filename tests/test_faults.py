"""Faults a nightly job meets: a run killed with SIGKILL, odd file names and escaping symlinks, another runner."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import SAMPLE

BIN = Path(sys.executable).parent
TABLES = ("documents", "paragraphs", "mentions", "quotes", "rejects", "files", "entities")


def make_input(root: Path, n_batches: int) -> Path:
    """`n_batches` batch folders, each the sample's articles with a line that makes every file distinct."""
    for b in range(n_batches):
        day = root / f"2025-04-{b + 1:02d}"
        day.mkdir(parents=True)
        for src in sorted(SAMPLE.rglob("*.txt")):
            (day / src.name).write_text(src.read_text(encoding="utf-8") + f"\nUpdated on day {b + 1}.\n",
                                        encoding="utf-8")
    return root


def sql(wh: Path, query: str) -> list[dict]:
    res = subprocess.run([str(BIN / "newsflow"), "sql", query, "--warehouse", str(wh), "--format", "json"],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def snapshot(wh: Path) -> dict:
    """Everything a run writes except its own identity and clock."""
    return {
        "counts": {t: sql(wh, f"select count(*) as n from {t}")[0]["n"] for t in TABLES},
        "documents": sql(wh, "select source_path, doc_id, text from documents order by source_path"),
        "quotes": sql(wh, "select quote_id, speaker, text from quotes order by quote_id"),
        "mentions": sql(wh, 'select doc_id, entity_id, start, "end" from mentions order by all'),
        "entities": sql(wh, "select entity_id, name, n_mentions, n_docs from entities order by entity_id"),
    }


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newsflow"), *map(str, args)], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A clean, uninterrupted run over four batches."""
    base = tmp_path_factory.mktemp("ref")
    make_input(base / "in", 4)
    assert run("run", base / "in", "--warehouse", base / "wh", "--quiet").returncode == 0
    return base


def test_kill_9_mid_run_then_rerun_ends_as_if_uninterrupted(reference, tmp_path):
    make_input(tmp_path / "in", 4)
    wh = tmp_path / "wh"
    proc = subprocess.Popen([str(BIN / "newsflow"), "run", str(tmp_path / "in"), "--warehouse", str(wh), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((wh / "files").glob("*.parquet")):
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its embedded Prefect server, mid-run
    proc.wait()
    written = len(list((wh / "files").glob("*.parquet")))
    assert 1 <= written < 4, f"kill landed after {written} of 4 batches; the test needs it mid-run"
    assert sql(wh, "select status from runs") == [{"status": "running"}]  # the killed run stays visible
    assert run("run", tmp_path / "in", "--warehouse", wh, "--quiet").returncode == 0
    assert snapshot(wh) == snapshot(reference / "wh")
    assert not list(wh.rglob("*.tmp-*"))


def test_odd_names_are_read_and_escaping_symlinks_are_refused(tmp_path):
    day = tmp_path / "in" / "batch with spaces"
    day.mkdir(parents=True)
    seeds = sorted(SAMPLE.rglob("*.txt"))
    names = ["a b.txt", "ünïcödé – 記事.txt", "-starts-with-dash.txt", "quote'\"s.txt"]
    for name, src in zip(names, seeds):
        (day / name).write_bytes(src.read_bytes())
    secret = tmp_path / "outside.txt"
    secret.write_bytes(seeds[4].read_bytes())
    (day / "link.txt").symlink_to(secret)
    wh = tmp_path / "wh"
    res = run("run", tmp_path / "in", "--warehouse", wh, "--quiet")
    assert res.returncode == 0, res.stderr
    docs = sql(wh, "select source_path from documents order by source_path")
    assert sorted(d["source_path"] for d in docs) == sorted(f"batch with spaces/{n}" for n in names)
    assert sql(wh, "select source_path, reason from rejects") == [
        {"source_path": "batch with spaces/link.txt", "reason": "outside_input_root"}]


def test_backfill_refuses_escaping_symlinks_and_runs_honour_the_size_limit(tmp_path):
    """backfill guards each named folder as run guards its input folder; NEWSFLOW_MAX_FILE_BYTES reaches the
    flow (a symlink is measured by the file it points to)."""
    day = tmp_path / "2025-03-20"
    day.mkdir()
    seeds = sorted(SAMPLE.rglob("*.txt"))
    article = seeds[2].read_bytes()
    (day / "small.txt").write_bytes(article)
    (day / "big.txt").write_bytes(article + b"\n\n" + seeds[0].read_bytes())
    (tmp_path / "outside.txt").write_bytes(seeds[1].read_bytes())
    (day / "escape.txt").symlink_to(tmp_path / "outside.txt")
    (day / "inside.txt").symlink_to(day / "big.txt")
    wh = tmp_path / "wh"
    env = {**os.environ, "NEWSFLOW_MAX_FILE_BYTES": str(len(article) + 100)}
    res = run("backfill", day, "--warehouse", wh, "--quiet", env=env)
    assert res.returncode == 0, res.stderr
    assert sql(wh, "select source_path, reason from rejects order by source_path") == [
        {"source_path": "2025-03-20/big.txt", "reason": "too_large"},
        {"source_path": "2025-03-20/escape.txt", "reason": "outside_input_root"},
        {"source_path": "2025-03-20/inside.txt", "reason": "too_large"}]
    assert sql(wh, "select source_path from documents") == [{"source_path": "2025-03-20/small.txt"}]


def test_dask_runner_gives_the_same_tables(reference, tmp_path):
    shutil.copytree(reference / "in", tmp_path / "in")
    wh = tmp_path / "wh"
    res = run("run", tmp_path / "in", "--warehouse", wh, "--quiet", "--task-runner", "dask", "--dask-workers", "2")
    assert res.returncode == 0, res.stderr[-3000:]
    assert snapshot(wh) == snapshot(reference / "wh")
