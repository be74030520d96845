"""`--processes 2` over several batches runs whole batches in worker processes and writes the tables of a
1-process run, entity linking across batches included: a batch's worker waits before its entities stage until
the batch before it is written, so a later batch's "Zelenskyy" links to the "Volodymyr Zelensky" an earlier batch
of the same run introduced, as it does in one process (flows/pipeline.py, docs/entities.md).
"""

import gzip
import os
import signal
import subprocess
from pathlib import Path

import pytest

from flows.pipeline import execution_mode

from .conftest import SAMPLE
from .test_faults import BIN, run, snapshot, sql


def make_batches(root, n_batches: int = 3):
    """The sample's articles dealt over `n_batches` batch folders, with a bad file and an HTML page in the last."""
    for i, src in enumerate(sorted(SAMPLE.rglob("*.txt"))):
        day = root / f"2025-05-{i % n_batches + 1:02d}"
        day.mkdir(parents=True, exist_ok=True)
        (day / src.name).write_bytes(src.read_bytes())
    (day / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    body = "".join(f"<p>Paragraph {i}: the city council approved the new budget on Tuesday, the mayor said.</p>"
                   for i in range(6))
    page = f"<html><head><title>Budget passes</title></head><body><article>{body}</article></body></html>"
    (day / "page.html.gz").write_bytes(gzip.compress(page.encode()))
    return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same three batches through one process and through a pool of two."""
    base = tmp_path_factory.mktemp("parallel")
    make_batches(base / "in")
    out = {}
    for n in (1, 2):
        res = run("run", base / "in", "--warehouse", base / f"wh{n}", "--processes", n)
        assert res.returncode == 0, res.stderr[-3000:]
        out[n] = (base / f"wh{n}", res.stdout + res.stderr)
    return out


def test_two_processes_run_batches_in_a_pool(runs):
    assert "processing batches: pool, 2 worker process(es)" in runs[2][1]
    assert "processing batches: sequential, 1 worker process(es)" in runs[1][1]
    # the CLI started the workers while Prefect's server started, and the flow took them
    assert "2 worker processes starting" in runs[2][1]
    assert "worker processes: started before the flow" in runs[2][1]
    assert "worker processes" not in runs[1][1].replace("1 worker process(es)", "")


def test_no_pool_is_started_early_for_a_single_batch(tmp_path):
    from flows.pipeline import _PRESTARTED, prestart_pool
    from flows.runs import RunOptions
    from tasks.ingest import discover_batches

    make_batches(tmp_path / "in", n_batches=1)
    batches = discover_batches(tmp_path / "in")
    assert len(batches) == 1
    assert prestart_pool(batches, str(tmp_path / "wh"), RunOptions(processes=2)) == 0
    assert not _PRESTARTED


ENTITIES = "select entity_id, name, label, aliases, n_mentions, n_docs from entities order by entity_id"
MENTIONS = 'select doc_id, start, "end", text, name, label, entity_id from mentions order by doc_id, start, "end"'
QUOTES = "select quote_id, text, speaker, speaker_entity_id, speaker_mention, cue from quotes order by quote_id"


def test_two_processes_write_the_tables_of_one(runs):
    one, two = snapshot(runs[1][0]), snapshot(runs[2][0])
    assert one["counts"]["documents"] == 6 and one["counts"]["quotes"] > 0 and one["counts"]["entities"] > 10
    assert two["counts"] == one["counts"]
    assert two["documents"] == one["documents"]
    for query in (ENTITIES, MENTIONS, QUOTES):
        assert sql(runs[2][0], query) == sql(runs[1][0], query), query


def test_a_later_batch_links_to_an_entity_an_earlier_batch_of_the_run_introduced(runs):
    """The case the pool once got wrong: the "Zelenskyy" of batch 2 joins the "Volodymyr Zelensky" batch 1
    introduced, in both runs (the pool once made it an entity of its own), and every quote that names him
    carries that one entity."""
    q = """select m.text, m.name, m.entity_id, split_part(d.source_path, '/', 1) as batch
           from mentions m join documents d using (doc_id) where m.text ilike '%zelensk%' order by all"""
    for n in (1, 2):
        rows = sql(runs[n][0], q)
        assert {r["text"] for r in rows} >= {"Zelenskyy", "Volodymyr Zelensky"}, rows
        assert len({r["entity_id"] for r in rows}) == 1, rows  # one entity, whatever the spelling
        assert len({r["batch"] for r in rows}) >= 2, rows  # named in more than one batch of the run
        speakers = sql(runs[n][0], "select distinct speaker, speaker_entity_id from quotes where speaker ilike "
                       "'%zelensk%'")
        assert speakers == [{"speaker": rows[0]["name"], "speaker_entity_id": rows[0]["entity_id"]}], speakers


def test_a_bad_file_is_a_reject_in_a_worker_too(runs):
    assert sql(runs[2][0], "select source_path, reason from rejects") == [
        {"source_path": "2025-05-02/image.txt", "reason": "binary_file"}]


def test_rerun_with_two_processes_finds_nothing_new(runs, tmp_path):
    wh, _ = runs[2]
    before = snapshot(wh)
    res = run("run", wh.parent / "in", "--warehouse", wh, "--processes", 2, "--quiet")
    assert res.returncode == 0 and "new 0" in res.stdout
    assert snapshot(wh) == before


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """One batch of seven files: whole (the default part size), and in parts of two with one process and two."""
    base = tmp_path_factory.mktemp("parts")
    make_batches(base / "in", n_batches=1)
    out = {}
    for name, processes, part_files in (("whole", 1, "250"), ("parts-1p", 1, "2"), ("parts-2p", 2, "2")):
        env = {**os.environ, "NEWSFLOW_PART_FILES": part_files}
        res = run("run", base / "in", "--warehouse", base / name, "--processes", processes, env=env)
        assert res.returncode == 0, res.stderr[-3000:]
        out[name] = (base / name, res.stdout + res.stderr)
    return out


def test_a_large_batch_runs_in_parts_and_its_parts_in_a_pool(parts):
    """A batch over NEWSFLOW_PART_FILES is read, processed and written in even parts (memory follows the part);
    with --processes 2 the parts run in the pool and write the tables of the 1-process run in parts."""
    assert ", part " not in parts["whole"][1] and "batch 2025-05-01, part 4/4: 1 files" in parts["parts-1p"][1]
    assert "processing batches: sequential" in parts["parts-1p"][1]
    assert "processing batches: pool, 2 worker process(es)" in parts["parts-2p"][1]
    one, two = snapshot(parts["parts-1p"][0]), snapshot(parts["parts-2p"][0])
    assert two == one
    for query in (ENTITIES, MENTIONS, QUOTES):
        assert sql(parts["parts-2p"][0], query) == sql(parts["parts-1p"][0], query), query
    # the same documents, quotes and mention spans as the batch in one piece; only the entities' names may differ
    # (a part links to the entities of the parts before it, as a batch to the batches before it: the first
    # spelling seen names the entity)
    whole = snapshot(parts["whole"][0])
    assert one["counts"] == whole["counts"] and one["documents"] == whole["documents"]
    spans = 'select doc_id, start, "end", text from mentions order by all'
    assert sql(parts["parts-1p"][0], spans) == sql(parts["whole"][0], spans)
    texts = "select quote_id, text, speaker_mention from quotes order by quote_id"
    assert sql(parts["parts-1p"][0], texts) == sql(parts["whole"][0], texts)
    assert sql(parts["parts-1p"][0], "select source_path, reason from rejects") == [
        {"source_path": "2025-05-01/image.txt", "reason": "binary_file"}]


def test_a_forced_rerun_in_parts_replaces_each_part_once(parts):
    """--force over a batch in parts: each part's write replaces its own files' rows and keeps the other parts'."""
    wh = parts["parts-2p"][0]
    before = snapshot(wh)
    env = {**os.environ, "NEWSFLOW_PART_FILES": "2"}
    res = run("run", wh.parent / "in", "--warehouse", wh, "--processes", 2, "--force", "--quiet", env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert snapshot(wh) == before
    assert sql(wh, "select count(*) as n, count(distinct source_path) as paths from files") == [{"n": 7, "paths": 7}]


@pytest.mark.parametrize("files, most, sizes", [
    (0, 250, []), (5, 250, [5]), (250, 250, [250]), (251, 250, [126, 125]), (600, 250, [200, 200, 200]),
    (6, 2, [2, 2, 2]), (7, 2, [2, 2, 2, 1]),
])
def test_parts_are_even(files, most, sizes):
    from flows.runs import split_files

    assert [len(p) for p in split_files(list(range(files)), most)] == sizes


@pytest.mark.parametrize("processes, pending, dask, expected", [
    (1, 5, False, ("sequential", 1)),  # one process: no pool
    (2, 1, False, ("sequential", 1)),  # one part of one batch: spaCy's own processes inside it
    (2, 0, False, ("sequential", 1)),
    (2, 2, False, ("pool", 2)),
    (4, 3, False, ("pool", 3)),  # never more workers than batches
    (2, 8, True, ("dask", 1)),  # Dask places the batch tasks itself
])
def test_execution_mode(processes, pending, dask, expected):
    assert execution_mode(processes, pending, dask) == expected


def _oldest_pool_worker(pid: int) -> int | None:
    """A pool worker of process `pid`: the first-started child of its multiprocessing forkserver (read from /proc;
    the CLI starts the pool's workers before the flow starts the manager that is the forkserver's other child)."""
    procs = {}
    for d in Path("/proc").iterdir():
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            procs[int(d.name)] = (int(fields[1]), int(fields[19]), (d / "cmdline").read_bytes())
        except (ValueError, OSError, IndexError):
            continue
    servers = {p for p, (pp, _, cmd) in procs.items() if pp == pid and b"multiprocessing.forkserver" in cmd}
    children = sorted((start, p) for p, (pp, start, _) in procs.items() if pp in servers)
    return children[0][1] if children else None


def test_a_killed_worker_fails_the_run_in_one_line_and_the_next_run_finishes(tmp_path):
    """A pool worker killed mid-batch (as an out-of-memory killer would) is no document's fault: the run says so
    in one line, exits 1 and is recorded failed; nothing half-done is written, and the next run processes it all."""
    for b in range(3):  # batches big enough to still be in the workers when they are killed
        day = tmp_path / "in" / f"2025-06-0{b + 1}"
        day.mkdir(parents=True)
        for k in range(4):
            for src in sorted(SAMPLE.rglob("*.txt")):
                (day / f"{k}-{src.name}").write_text(f"{src.read_text(encoding='utf-8')}\nCopy {b}.{k}.\n",
                                                     encoding="utf-8")
    wh = tmp_path / "wh"
    proc = subprocess.Popen([str(BIN / "newsflow"), "run", str(tmp_path / "in"), "--warehouse", str(wh),
                             "--processes", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "batch 2025-06-02:" in line:  # batch 1 is in a worker now
            worker = _oldest_pool_worker(proc.pid)
            assert worker, "".join(lines)
            os.kill(worker, signal.SIGKILL)
            break
    out = "".join(lines) + proc.stdout.read()
    assert proc.wait(timeout=120) == 1, out
    last = out.strip().splitlines()[-1]
    assert last.startswith("newsflow: run failed: a worker process ended abruptly") and "2025-06-01" in last, out
    assert "Traceback" not in out, out  # Prefect's records of the failed tasks keep their one line, no traceback
    assert sql(wh, "select status from runs") == [{"status": "failed"}]
    assert sql(wh, "select count(*) as n from documents") == [{"n": 0}]
    res = run("run", tmp_path / "in", "--warehouse", wh, "--processes", 2, "--quiet")
    assert res.returncode == 0, res.stderr[-3000:]
    assert sql(wh, "select count(*) as n from documents") == [{"n": 60}]
