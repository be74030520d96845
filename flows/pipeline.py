"""The flows: which stages run, in what order, over which batches, in which processes. No text logic lives here.

    nightly(input_root, warehouse)   every sub-folder of input_root is a batch; only files not processed before
    backfill(folders, warehouse)     the named folders as batches (force=True reprocesses them)

A batch's new files go in parts of at most `RunOptions.part_files` (250; one part for most nightly folders), so
that memory follows the part, not the folder. Per part, the flow runs an `ingest` task, one `batch` task (the
stages decode ... quotes, `run_stages`) and a `write` task (which merges the part into the batch's files), in
order. With `processes` N > 1 and two or more parts to process, up to N parts run at once, each in a worker
process of a pool the run starts once (one more waits in the pool's queue, so that a worker never idles while the
flow writes), and the flow writes each part as it finishes, in order. With one part to process, spaCy's own N
processes run inside it. Below, "batch" is also said of a part: a part links to the parts before it as a batch
to the batches before it. Per-stage seconds are in the run summary and its artifact (the
stages no longer are Prefect tasks of their own: docs/benchmarks.md).

The Prefect tasks are declared here, each a thin wrapper of a pure function in tasks/. tasks/ imports nothing from
Prefect, so `newsflow sql`, `status` and `inspect` start without it (`newsflow sql` on a warehouse: 0.7 s,
against 3.6 s when tasks/write.py imported Prefect).

Entities link across batches as in a 1-process run: a batch's `entities` stage gets the warehouse's entities as
they are once the batch before it has been written and the entities refreshed. In a pool, a worker runs decode
... nlp and then waits for them (`EntitiesAfter`), so batches overlap in their costly stage (nlp) while entities
and quotes run in batch order; a pool run writes the tables of a 1-process run (tests/test_parallel.py). Under
Dask every batch still sees the entities of before the run (docs/entities.md, section 7).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from multiprocessing.managers import SyncManager
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from flows.runs import (
    BatchResult,
    EntitiesAfter,
    RunOptions,
    WorkerDied,
    ledger_index,
    new_files,
    run_stages,
    split_files,
    summarise,
    warm_worker,
)
from tasks.ingest import discover_batches, discover_folders, ingest_files, select_batch_folders
from tasks.nlp import NlpOptions
from tasks.records import Doc, Reject, SourceFile
from tasks.storage import Location
from tasks.stories import update_clusters
from tasks.write import (
    WarehouseLock,
    known_documents,
    read_entities,
    refresh_entities,
    refresh_views,
    write_batch,
    write_run,
)

log = logging.getLogger("newsflow.flow")


# The run's Prefect tasks. Each is a thin wrapper of a pure function in tasks/ (which imports nothing from Prefect,
# so `newsflow sql` and `status` start without it); `batch_task` below runs the text stages. The I/O tasks retry:
# a full disk or a flaky S3 endpoint is worth a second try, a bad document is a reject, never a task failure.
@task(name="ingest", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def ingest_task(files: list[SourceFile], ledger: Mapping[str, tuple[int, int, str]], known_hashes: Mapping[str, str],
                root_guard: str | None, max_bytes: int, force: bool = False) -> tuple[list[Doc], list[Reject], int]:
    return ingest_files(files, ledger, known_hashes, root_guard, max_bytes, force)


@task(name="write", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def write_task(root: Location, batch: str, run_id: str, docs: list[Doc], rejects: list[Reject]) -> dict[str, int]:
    return write_batch(root, batch, run_id, docs, rejects)


@task(name="refresh_views", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def refresh_task(root: Location, entities: bool = True) -> int:
    """Recompute the entities table (unless the caller just did) and the views; returns the entity count."""
    n = refresh_entities(root) if entities else len(read_entities(root))
    refresh_views(root)
    return n


@task(name="cluster", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def cluster_task(root: Location) -> dict[str, int]:
    return update_clusters(root)


@task(name="batch", task_run_name="batch-{batch}", cache_policy=NO_CACHE)
def batch_task(batch: str, docs: list[Doc], known_entities: list[dict] | EntitiesAfter, nlp_options: NlpOptions,
               pool: Executor | None = None) -> BatchResult:
    """The stages over one batch: here (in this task's thread or Dask worker), or in `pool` while this waits."""
    if pool is None:
        return run_stages(docs, known_entities, nlp_options)
    return pool.submit(run_stages, docs, known_entities, nlp_options).result()


def ingest_batch(root: Location, batch: str, files: list[SourceFile], guard: str | None, options: RunOptions,
                 known: dict[str, str], stats: dict, part: str = "") -> tuple[list[Doc], list[Reject]]:
    """Read a part of a batch's new files (one ingest task); adds to the batch's file counts in `stats`."""
    ledger = ledger_index(root, batch)
    docs, rejects, skipped = ingest_task(quote(files), quote(ledger), quote(known), guard, options.max_file_bytes,
                                         options.force)
    for d in docs:
        known.setdefault(d.content_sha256, d.source.source_path)
    stats[batch]["new"] += len(docs) + len(rejects)
    stats[batch]["skipped"] += skipped
    n_files = len(files) if part else stats[batch]["files"]
    log.info("batch %s%s: %d files, %d new", batch, part, n_files, len(docs) + len(rejects))
    return docs, rejects


def batch_parts(root: Location, batch: str, files: list[SourceFile], options: RunOptions) -> list[list[SourceFile]]:
    """The parts a batch's new files are processed in (`RunOptions.part_files`; stat only, no file is read)."""
    return split_files(new_files(root, batch, files, options.force), options.part_files)


def batches_to_process(root: Location, batches: dict[str, list[SourceFile]], options: RunOptions) -> int:
    """How many parts of batches have files their ledgers do not vouch for (stat only, no file is read): the
    units a pool runs side by side."""
    return sum(len(batch_parts(root, batch, files, options)) for batch, files in batches.items())


def batch_pool(workers: int, nlp_options: NlpOptions) -> ProcessPoolExecutor:
    """The run's worker processes, one batch each at a time: the pool `prestart_pool` started for these
    arguments, else one started now."""
    pool = _PRESTARTED.pop((workers, nlp_options), None)
    if pool is not None:
        log.info("worker processes: started before the flow (prestart_pool)")
        return pool
    return _start_pool(workers, nlp_options)


def _start_pool(workers: int, nlp_options: NlpOptions) -> ProcessPoolExecutor:
    """Started from a forkserver, not forked from this process: it has Prefect's threads and event loop running.
    Each worker imports flows/runs.py (not this module, so not Prefect) and loads the model and langdetect's
    profiles as it starts (`warm_worker`), while this process goes on with the run row, the views and the first
    ingest."""
    # Not preloading this module into the forkserver (`set_forkserver_preload`): measured, it saved no CPU per run
    # (import ~1.9 CPU-s per worker) and the forked workers' stages took ~2 CPU-s more per 240 documents.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=warm_worker, initargs=(nlp_options,))
    for _ in range(workers):  # the executor starts a worker per task submitted while none is idle: start them all
        pool.submit(int)
    return pool


# Pools started before the flow by `prestart_pool`, by (workers, model options), until `batch_pool` takes one.
_PRESTARTED: dict[tuple[int, NlpOptions], ProcessPoolExecutor] = {}


def prestart_pool(batches: dict[str, list[SourceFile]], warehouse: str, options: RunOptions) -> int:
    """Start the worker processes of a run over `batches` now, if it will run a pool, so that they import and load
    the model while Prefect's server starts (the CLI calls this before the flow; the flow's `batch_pool` takes the
    pool when its workers and model options are the same, else starts its own). The batches to process are
    counted here outside the warehouse lock; the flow counts them again under it. Returns the workers started
    (0: the run will not use a pool). `discard_prestarted_pools` stops a pool no flow took."""
    pending = batches_to_process(Location.of(warehouse), batches, options) if options.processes > 1 else 0
    mode, workers = execution_mode(options.processes, pending, dask=False)
    if mode != "pool":
        return 0
    key = (workers, batch_nlp_options(options, mode))
    if key not in _PRESTARTED:
        _PRESTARTED[key] = _start_pool(*key)
    return workers


def discard_prestarted_pools() -> None:
    """Stop the pools `prestart_pool` started that no flow took (the run failed before, or chose otherwise)."""
    while _PRESTARTED:
        _PRESTARTED.popitem()[1].shutdown(wait=False, cancel_futures=True)


def handoff_manager() -> SyncManager:
    """A started multiprocessing manager whose queues carry the entities from the flow to pool workers waiting
    for them (`EntitiesAfter`): plain multiprocessing queues cannot be passed to a pool's running workers."""
    return multiprocessing.get_context("forkserver").Manager()


def execution_mode(processes: int, pending: int, dask: bool) -> tuple[str, int]:
    """("sequential" | "pool" | "dask", worker processes) for a run with `pending` parts of batches to process
    (`batch_parts`): whole parts in a pool when there are two or more, else one part at a time (spaCy's own
    `processes` inside it)."""
    if dask:
        return "dask", 1
    if processes > 1 and pending >= 2:
        return "pool", min(processes, pending)
    return "sequential", 1


class Tally:
    """Time per stage of a run: the flow's own steps (wall) and the batch stages' figures from `BatchResult`."""

    def __init__(self) -> None:
        self.seconds: Counter = Counter()
        self.stages: dict[str, Counter] = {}

    def add_batch(self, result: BatchResult) -> None:
        for name, figures in result.stages.items():
            self.seconds[name] += figures["seconds"]
            self.stages.setdefault(name, Counter()).update(figures)


def write_result(root: Location, run_id: str, batch: str, result: BatchResult, ingest_rejects: list[Reject],
                 stats: dict, tally: Tally, refresh: bool) -> None:
    """Write one processed batch (ledger last), and with `refresh` the entities table, so that batches started
    after this one link their names to the entities it introduced (a new spelling on day 2 joins day 1's)."""
    t0 = time.perf_counter()
    rejects = ingest_rejects + result.rejects
    counts = write_task(root, batch, run_id, quote(result.docs), quote(rejects))
    for k in ("documents", "quotes", "mentions"):
        stats[batch][k] += counts[k]
    stats[batch]["rejects"].update(r.reason for r in rejects)
    log.info("batch %s: %d documents, %d rejects, %d quotes, %d mentions written", batch, counts["documents"],
             counts["rejects"], counts["quotes"], counts["mentions"])
    if refresh:
        refresh_entities(root)
    tally.add_batch(result)
    tally.seconds["write"] += time.perf_counter() - t0


# Batches submitted to the pool beyond one per worker: a worker that finishes a batch starts the queued one at once,
# instead of idling while this process writes the batch it finished, refreshes the entities and submits the next.
# Costs one more batch of documents in memory (memory still follows the batch, not the run).
QUEUED_BATCHES = 1


def batch_nlp_options(options: RunOptions, mode: str) -> NlpOptions:
    """The model options of a run's batches: spaCy in one process inside a pool worker, else `options.processes`."""
    return NlpOptions(model=options.model, n_process=1 if mode == "pool" else options.processes)


def process_batches(root: Location, run_id: str, batches: dict[str, list[SourceFile]],
                    parts: dict[str, list[list[SourceFile]]], guards: dict[str, str], options: RunOptions, mode: str,
                    workers: int, stats: dict, tally: Tally, pool: ProcessPoolExecutor | None = None) -> None:
    """Ingest, process and write every batch; fills `stats` and `tally`.

    mode "sequential": one batch at a time in this process (spaCy itself uses `options.processes`), entities
    refreshed after each batch. mode "pool": up to `workers` batches at a time, each in a worker process (spaCy
    in one process there; QUEUED_BATCHES more wait in the pool's queue), written here in batch order as they
    finish, entities refreshed after each; a batch's worker waits before its entities stage until the batch
    before it is written (`EntitiesAfter`), so every batch links to what it would in sequential mode. mode
    "dask": every batch's stages submitted to the Dask runner at once, all seeing the entities of before the
    run. Task arguments are wrapped in `quote`: otherwise Prefect walks every document, paragraph and mention
    looking for futures (docs/benchmarks.md); not on Dask, where prefect-dask 0.3.7 ships the `quote` wrapper to
    the worker without unwrapping it.
    `pool`: mode "pool"'s workers if the caller started them already (`batch_pool`), else started here; the
    caller shuts down a pool it passed.
    """
    known = known_documents(root)
    nlp_options = batch_nlp_options(options, mode)
    in_flight: deque[tuple[str, list[Reject], PrefectFuture, EntitiesAfter | None]] = deque()
    entities_before = read_entities(root) if mode == "dask" else []
    own_pool = pool is None and mode == "pool"
    if own_pool:
        pool = batch_pool(workers, nlp_options)
    manager = handoff_manager() if mode == "pool" else None

    def write_oldest(refresh: bool) -> None:
        """Write the oldest batch in flight, then hand the entities to the batch after it (if one is waiting)."""
        b, rej, future, _ = in_flight.popleft()
        try:
            result = future.result()
        except BrokenProcessPool as exc:  # every batch in the pool fails with it; name the oldest
            raise WorkerDied(f"a worker process ended abruptly (killed, or out of memory?) while batch {b} was "
                             "being processed; the run is recorded as failed, the batches written before it are "
                             "kept, and the next run processes the rest (with fewer --processes if memory ran "
                             "out)") from exc
        write_result(root, run_id, b, result, rej, stats, tally, refresh=refresh)
        if in_flight and in_flight[0][3] is not None:
            in_flight[0][3].queue.put(read_entities(root))

    try:
        for batch, files in batches.items():
            stats[batch] = {"files": len(files), "new": 0, "skipped": len(files) - sum(map(len, parts[batch])),
                            "documents": 0, "rejects": Counter(), "quotes": 0, "mentions": 0}
            if not parts[batch]:
                log.info("batch %s: %d files, 0 new", batch, len(files))
            # a large batch goes in parts (RunOptions.part_files), each read, processed and written in turn, so
            # that memory follows the part; in a pool, parts of one batch run side by side like batches
            for k, part in enumerate(parts[batch]):
                t0 = time.perf_counter()
                label = f", part {k + 1}/{len(parts[batch])}" if len(parts[batch]) > 1 else ""
                docs, rejects = ingest_batch(root, batch, part, guards.get(batch), options, known, stats, label)
                tally.seconds["ingest"] += time.perf_counter() - t0
                if not docs and not rejects:
                    continue
                if mode == "sequential":  # memory follows the part, not the run
                    result = batch_task(batch, quote(docs), quote(read_entities(root)), nlp_options)
                    write_result(root, run_id, batch, result, rejects, stats, tally, refresh=True)
                    continue
                handoff = None
                if mode == "pool":
                    # at most `workers` + QUEUED_BATCHES parts in memory, written in order
                    while len(in_flight) >= workers + QUEUED_BATCHES:
                        write_oldest(refresh=True)
                    handoff = EntitiesAfter(manager.Queue(maxsize=1))
                    if not in_flight:  # every earlier part is written: its entities are the warehouse's now
                        handoff.queue.put(read_entities(root))
                    future = batch_task.submit(batch, quote(docs), quote(handoff), nlp_options, quote(pool))
                else:  # dask: every part sees the entities of before the run
                    future = batch_task.submit(batch, docs, entities_before, nlp_options)
                in_flight.append((batch, rejects, future, handoff))
        while in_flight:
            write_oldest(refresh=mode != "dask")
    finally:
        if manager is not None:
            manager.shutdown()  # a worker still waiting for entities (a batch before it failed) gets EOFError
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)


def run_batches(flow_name: str, batches: dict[str, list[SourceFile]], warehouse: str, guards: dict[str, str],
                options: RunOptions, params: dict) -> dict:
    """Process batches into the warehouse under its lock, recording the run; returns the run summary.

    `guards`: per batch, the resolved folder its files must lie in (a symlink pointing out is a reject)."""
    root = Location.of(warehouse)
    run_id = str(flow_run.id or f"local-{time.time_ns()}")
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    stats: dict[str, dict] = {}
    tally = Tally()
    row = {"run_id": run_id, "flow": flow_name, "started_at": started, "finished_at": None, "status": "running",
           "params": params, "n_files_seen": None, "n_files_new": None, "n_documents": None, "n_rejects": None}
    with WarehouseLock(root):
        dask = _is_dask_runner()
        t0 = time.perf_counter()
        parts = {batch: batch_parts(root, batch, files, options) for batch, files in batches.items()}
        tally.seconds["ingest"] += time.perf_counter() - t0
        mode, workers = execution_mode(options.processes, sum(map(len, parts.values())), dask)
        # the workers start (import, model) while this process writes the run row and the views and ingests
        pool = batch_pool(workers, batch_nlp_options(options, mode)) if mode == "pool" else None
        log.info("processing batches: %s, %d worker process(es)", mode, workers)
        try:
            try:
                write_run(root, row)
            except BaseException:
                row = None  # no run row to mark failed
                raise
            refresh_views(root)  # queryable from the start, and after a run that dies
            try:
                process_batches(root, run_id, batches, parts, guards, options, mode, workers, stats, tally, pool)
            finally:
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = None
            if any(b["documents"] for b in stats.values()):
                t0 = time.perf_counter()
                clusters = cluster_task(root)  # syndication groups and stories of the new documents
                tally.seconds["clusters"] += time.perf_counter() - t0
                log.info("clusters: %s", ", ".join(f"{k} {v}" for k, v in clusters.items()))
            t0 = time.perf_counter()
            if any(b["new"] for b in stats.values()):
                # sequential and pool runs refreshed the entities after each write already
                n_entities = refresh_task(root, entities=mode == "dask")
            else:  # nothing written: the entities table and the views are current
                n_entities = len(read_entities(root))
            tally.seconds["refresh"] += time.perf_counter() - t0
        except BaseException:
            if pool is not None:  # the run row or the views failed before the batches
                pool.shutdown(wait=False, cancel_futures=True)
            if row is not None:
                write_run(root, {**row, "status": "failed", "finished_at": datetime.now(UTC)})
            raise
        summary = summarise(run_id, root, stats, tally.seconds, time.perf_counter() - t_start, n_entities,
                            stages=tally.stages, mode=mode, workers=workers)
        write_run(root, {**row, "status": "completed", "finished_at": datetime.now(UTC),
                         "n_files_seen": summary["files"], "n_files_new": summary["new"],
                         "n_documents": summary["documents"], "n_rejects": sum(summary["rejects"].values())})
    publish_artifact(flow_name, summary)
    return summary


def run_summary_markdown(flow_name: str, summary: dict) -> str:
    """The run summary as a Markdown report (the Prefect artifact of the run)."""
    lines = [f"# newsflow {flow_name} run", "",
             f"files seen **{summary['files']}**, new **{summary['new']}**, documents written "
             f"**{summary['documents']}**, quotes **{summary['quotes']}**, mentions **{summary['mentions']}**, "
             f"entities in the warehouse **{summary['entities']}**; {summary['seconds']} s", "",
             "| batch | files | new | documents | rejects | quotes | mentions |", "|---|---|---|---|---|---|---|"]
    for name, b in summary["batches"].items():
        lines.append(f"| {name} | {b['files']} | {b['new']} | {b['documents']} | {sum(b['rejects'].values())} "
                     f"| {b['quotes']} | {b['mentions']} |")
    lines += ["", "| reject reason | files |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(summary["rejects"].items())] or ["| none | 0 |"]
    stages = summary.get("stages", {})
    lines += ["", f"batches ran {summary.get('mode', 'sequential')}, {summary.get('workers', 1)} worker process(es); "
              "a stage's seconds are summed over its batches (in a pool run they overlap)", "",
              "| stage | seconds | CPU seconds | documents in |", "|---|---|---|---|"]
    lines += [f"| {k} | {v} | {stages.get(k, {}).get('cpu', '')} | {stages.get(k, {}).get('docs', '')} |"
              for k, v in summary["stage_seconds"].items()]
    return "\n".join(lines)


def publish_artifact(flow_name: str, summary: dict) -> None:
    create_markdown_artifact(run_summary_markdown(flow_name, summary), key=f"newsflow-{flow_name}-summary",
                             description="files, documents, rejects by reason, quotes, entities, time per stage")


def _is_dask_runner() -> bool:
    runner = FlowRunContext.get().task_runner if FlowRunContext.get() else None
    return type(runner).__name__ == "DaskTaskRunner"


@flow(name="nightly", log_prints=False)
def nightly(input_root: Path, warehouse: str, options: RunOptions = RunOptions()) -> dict:
    """Process every file under `input_root` not processed before; each sub-folder is a batch."""
    batches = discover_batches(input_root)
    guard = str(Path(input_root).resolve())
    params = {"input_root": str(input_root), "warehouse": str(warehouse), **options.model_dump()}
    return run_batches("nightly", batches, warehouse, dict.fromkeys(batches, guard), options, params)


def backfill_batches(folders: list[Path] | None, input_root: Path | None, since: str | None,
                     until: str | None) -> dict[str, list[SourceFile]]:
    """The batches of a backfill: the named `folders`, or the batch folders of `input_root` in [since, until]."""
    if folders:
        return discover_folders(folders)
    if input_root is not None:
        return discover_folders(select_batch_folders(input_root, since, until))
    raise ValueError("backfill needs `folders`, or `input_root` with an optional since/until range")


def backfill_guards(batches: dict[str, list[SourceFile]], folders: list[Path] | None,
                    input_root: Path | None) -> dict[str, str]:
    """Per batch of `backfill_batches`, the folder its files must lie in: the named folder (two named folders of
    one name are one batch: their common parent), or `input_root`."""
    if not folders:
        return dict.fromkeys(batches, str(Path(input_root).resolve()))
    out: dict[str, str] = {}
    for f in folders:
        path = str(Path(f).resolve())
        name = Path(path).name
        out[name] = os.path.commonpath([out[name], path]) if name in out else path
    return out


@flow(name="backfill", log_prints=False)
def backfill(
    warehouse: str,
    folders: list[Path] | None = None,
    input_root: Path | None = None,
    since: str | None = None,
    until: str | None = None,
    options: RunOptions = RunOptions(),
) -> dict:
    """Process folders as batches: the named `folders`, or the batch folders of `input_root` whose names fall in
    [since, until] (names compare as text, so ISO dates work). Folders already processed are skipped unless
    options.force, which reprocesses them and replaces their rows."""
    batches = backfill_batches(folders, input_root, since, until)
    params = {"folders": [str(f) for f in folders or []], "input_root": str(input_root) if input_root else None,
              "since": since, "until": until, "warehouse": str(warehouse), **options.model_dump()}
    return run_batches("backfill", batches, warehouse, backfill_guards(batches, folders, input_root), options,
                       params)
