"""`--processes 2` over several batches runs whole batches in worker processes.

The tables equal a 1-process run's except for entity linking across batches that ran side by side: run one at a
time, a batch links a new spelling ("Zelenskyy") to an entity an earlier batch of the run introduced ("Zelensky");
in the pool it cannot see it yet, so the entity is split in two. Never merged: each entity of the 2-process run
is part of exactly one entity of the 1-process run (flows/pipeline.py, docs/benchmarks.md).
"""

import gzip

import pytest

from flows.pipeline import execution_mode

from .conftest import SAMPLE
from .test_faults import run, snapshot, sql


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


def test_two_processes_give_the_tables_of_one_up_to_entity_splits(runs):
    one, two = snapshot(runs[1][0]), snapshot(runs[2][0])
    assert one["counts"]["documents"] == 6 and one["counts"]["quotes"] > 0 and one["counts"]["entities"] > 10
    assert two["documents"] == one["documents"]
    assert {t: n for t, n in two["counts"].items() if t != "entities"} == {
        t: n for t, n in one["counts"].items() if t != "entities"}
    # the same mentions at the same offsets; each entity of the pool run lies inside one of the 1-process run
    key = lambda m: (m["doc_id"], m["start"], m["end"])  # noqa: E731
    assert sorted(map(key, two["mentions"])) == sorted(map(key, one["mentions"]))
    in_one = {key(m): m["entity_id"] for m in one["mentions"]}
    part_of: dict[str, set[str]] = {}
    for m in two["mentions"]:
        part_of.setdefault(m["entity_id"], set()).add(in_one[key(m)])
    assert all(len(ids) == 1 for ids in part_of.values()), {e: ids for e, ids in part_of.items() if len(ids) > 1}
    assert two["counts"]["entities"] >= one["counts"]["entities"]
    # the same quotes, attributed to the same entity (up to the split)
    q = "select quote_id, text, speaker_entity_id from quotes order by quote_id"
    quotes_one, quotes_two = sql(runs[1][0], q), sql(runs[2][0], q)
    assert [(x["quote_id"], x["text"]) for x in quotes_two] == [(x["quote_id"], x["text"]) for x in quotes_one]
    assert [next(iter(part_of[x["speaker_entity_id"]])) if x["speaker_entity_id"] else None for x in quotes_two] \
        == [x["speaker_entity_id"] for x in quotes_one]


def test_a_bad_file_is_a_reject_in_a_worker_too(runs):
    assert sql(runs[2][0], "select source_path, reason from rejects") == [
        {"source_path": "2025-05-02/image.txt", "reason": "binary_file"}]


def test_rerun_with_two_processes_finds_nothing_new(runs, tmp_path):
    wh, _ = runs[2]
    before = snapshot(wh)
    res = run("run", wh.parent / "in", "--warehouse", wh, "--processes", 2, "--quiet")
    assert res.returncode == 0 and "new 0" in res.stdout
    assert snapshot(wh) == before


@pytest.mark.parametrize("processes, pending, dask, expected", [
    (1, 5, False, ("sequential", 1)),  # one process: no pool
    (2, 1, False, ("sequential", 1)),  # one batch: spaCy's own processes inside it
    (2, 0, False, ("sequential", 1)),
    (2, 2, False, ("pool", 2)),
    (4, 3, False, ("pool", 3)),  # never more workers than batches
    (2, 8, True, ("dask", 1)),  # Dask places the batch tasks itself
])
def test_execution_mode(processes, pending, dask, expected):
    assert execution_mode(processes, pending, dask) == expected
