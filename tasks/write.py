"""Write: Parquet files per table and batch, replaced atomically, and the DuckDB views over them.

Layout under the warehouse folder:
    <table>/<batch>.parquet        documents, paragraphs, mentions, quotes, rejects, files (one file per batch)
    runs/<run_id>.parquet          one file per run
    entities/entities.parquet      recomputed from all mentions after each run
    newsflow.duckdb                views of the same names, plus warehouse/staging and warehouse/marts
A batch's file holds all of the batch's rows: a run that adds files to a batch rewrites the file with the old
rows and the new, so a rerun never appends twice. The `files` ledger is written last; rows of files it does
not list (left by a run killed half-way) are dropped at the next write, and those files are processed again.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

import schemas
from tasks.quotes import quote_id
from tasks.records import Doc, Reject

DB_FILE = "newsflow.duckdb"
SQL_DIR = Path(__file__).resolve().parents[1] / "warehouse"
PIPELINE_VERSION = "0.1.0"


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


def _ts(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def batch_file(root: Path, table: str, batch: str) -> Path:
    return Path(root) / table / f"{quote(batch, safe='')}.parquet"


def write_table(rows: list[dict] | pa.Table, schema: pa.Schema, path: Path) -> None:
    """Write rows with an explicit schema to `path` atomically (temporary file, then rename)."""
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def read_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist() if path.exists() else []


# -- the ledger ---------------------------------------------------------------------------------------------


def read_ledger(root: Path, batch: str) -> dict[str, dict]:
    """source_path -> ledger row for the files of `batch` already processed."""
    return {r["source_path"]: r for r in read_rows(batch_file(root, "files", batch))}


def known_documents(root: Path) -> dict[str, str]:
    """content sha256 -> source_path of every document in the warehouse."""
    folder = Path(root) / "files"
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.glob("*.parquet")):
        t = pq.read_table(path, columns=["content_sha256", "source_path", "outcome"])
        for sha, src, outcome in zip(*(t.column(c).to_pylist() for c in ("content_sha256", "source_path", "outcome"))):
            if outcome == "document":
                out.setdefault(sha, src)
    return out


def read_entities(root: Path) -> list[dict]:
    """Rows of the warehouse's entities table (empty on a new warehouse)."""
    return read_rows(Path(root) / "entities" / "entities.parquet")


# -- rows -----------------------------------------------------------------------------------------------------


def _pick(obj, schema: pa.Schema) -> dict:
    """The attributes of a record that are columns of `schema` (a field added to both flows through)."""
    return {f.name: getattr(obj, f.name) for f in schema if hasattr(obj, f.name)}


def document_rows(docs: Iterable[Doc], run_id: str) -> dict[str, list[dict]]:
    """Rows of the per-document tables (documents, paragraphs, mentions, quotes) for a batch's documents."""
    out: dict[str, list[dict]] = {"documents": [], "paragraphs": [], "mentions": [], "quotes": []}
    for d in docs:
        out["documents"].append(
            {
                "doc_id": d.doc_id, "source_path": d.source.source_path, "batch": d.source.batch,
                "content_sha256": d.content_sha256, "run_id": run_id, "ingested_at": _ts(d.ingested_at),
                "encoding": d.encoding, "repairs": d.repairs, "language": d.language,
                "language_prob": d.language_prob, "title": d.title, "byline": d.byline,
                "published": d.published if isinstance(d.published, date) else None, "url": d.url,
                "site_name": d.site_name, "text": d.text, "raw_text": d.raw_text, "n_chars": len(d.text),
                "pipeline_version": PIPELINE_VERSION,
            }
        )
        out["paragraphs"].extend({"doc_id": d.doc_id, **_pick(p, schemas.PARAGRAPHS)} for p in d.paragraphs)
        out["mentions"].extend({"doc_id": d.doc_id, **_pick(m, schemas.MENTIONS)} for m in d.mentions)
        out["quotes"].extend(
            {"quote_id": quote_id(d.doc_id, q), "doc_id": d.doc_id, **_pick(q, schemas.QUOTES)} for q in d.quotes
        )
    return out


def reject_rows(rejects: Iterable[Reject], run_id: str, at: float) -> list[dict]:
    return [
        {"run_id": run_id, "source_path": r.source.source_path, "batch": r.source.batch, "reason": r.reason,
         "detail": r.detail, "rejected_at": _ts(at)}
        for r in rejects
    ]


def ledger_rows(docs: Iterable[Doc], rejects: Iterable[Reject], run_id: str) -> list[dict]:
    rows = [
        {"batch": d.source.batch, "source_path": d.source.source_path, "size": d.source.size,
         "mtime_ns": d.source.mtime_ns, "content_sha256": d.content_sha256, "doc_id": d.doc_id,
         "outcome": "document", "run_id": run_id}
        for d in docs
    ]
    rows += [
        {"batch": r.source.batch, "source_path": r.source.source_path, "size": r.source.size,
         "mtime_ns": r.source.mtime_ns, "content_sha256": r.content_sha256, "doc_id": None,
         "outcome": r.reason, "run_id": run_id}
        for r in rejects
    ]
    return rows


def write_batch(root: Path, batch: str, run_id: str, docs: list[Doc], rejects: list[Reject]) -> dict[str, int]:
    """Merge a batch's new results into its Parquet files, the ledger last; returns rows written per table.

    Rows of files processed again (changed or forced) are replaced; rows no ledger entry vouches for (left by
    a killed run) are dropped. Raises OSError on write failures (infrastructure, retried by Prefect).
    """
    root = Path(root)
    now = datetime.now(UTC).timestamp()
    redone = {d.source.source_path for d in docs} | {r.source.source_path for r in rejects}
    ledger = [r for r in read_rows(batch_file(root, "files", batch)) if r["source_path"] not in redone]
    keep_docs = {r["doc_id"] for r in ledger if r["doc_id"]}
    keep_rejects = {r["source_path"] for r in ledger if not r["doc_id"]}
    new = document_rows(docs, run_id)
    new["rejects"] = reject_rows(rejects, run_id, now)
    counts = {}
    for table, rows in new.items():
        if table == "rejects":
            old = [r for r in read_rows(batch_file(root, table, batch)) if r["source_path"] in keep_rejects]
        else:
            old = [r for r in read_rows(batch_file(root, table, batch)) if r["doc_id"] in keep_docs]
        write_table(old + rows, schemas.BATCH_TABLES[table], batch_file(root, table, batch))
        counts[table] = len(rows)
    write_table(ledger + ledger_rows(docs, rejects, run_id), schemas.FILES, batch_file(root, "files", batch))
    return counts


def write_run(root: Path, row: dict) -> None:
    """Write (or replace) the `runs` row of one run."""
    row = {**row, "params": json.dumps(row["params"], sort_keys=True, default=str),
           "pipeline_version": PIPELINE_VERSION}
    write_table([row], schemas.RUNS, Path(root) / "runs" / f"{row['run_id']}.parquet")


# -- global tables and views ----------------------------------------------------------------------------------


def _glob(root: Path, table: str) -> str | None:
    folder = Path(root) / table
    return str(folder / "*.parquet") if folder.exists() and any(folder.glob("*.parquet")) else None


def refresh_entities(root: Path) -> int:
    """Recompute the entities table from every batch's mentions; returns its row count.

    Ids are never recomputed here: tasks/entities.py gives each mention the id of the entity it links to
    (a known one keeps its id), so one id groups all the spellings in `aliases`. Name and label are the pair
    most of the entity's mentions carry, ties to the alphabetically first, so the table does not depend on the
    order the files are read in (DuckDB's `mode` does).
    """
    src = _glob(root, "mentions")
    if src is None:
        write_table([], schemas.ENTITIES, Path(root) / "entities" / "entities.parquet")
        return 0
    con = duckdb.connect()
    table = con.sql(
        f"""
        with source as (
            select * from read_parquet('{src}')
        ),
        names as (
            select entity_id, name, label, count(*) as n,
                   row_number() over (
                       partition by entity_id
                       order by count(*) desc, name, label
                   ) as rank
            from source group by entity_id, name, label
        ),
        final as (
            select source.entity_id, names.name, names.label,
                   list_sort(list(distinct source.text)) as aliases,
                   count(*) as n_mentions, count(distinct source.doc_id) as n_docs
            from source join names on names.entity_id = source.entity_id and names.rank = 1
            group by source.entity_id, names.name, names.label
        )
        select * from final order by entity_id
        """
    ).to_arrow_table()
    con.close()
    write_table(table.cast(schemas.ENTITIES), schemas.ENTITIES, Path(root) / "entities" / "entities.parquet")
    return table.num_rows


_DUCK_TYPES = {
    pa.string(): "varchar", pa.int64(): "bigint", pa.int32(): "integer", pa.float64(): "double",
    pa.bool_(): "boolean", pa.date32(): "date", pa.timestamp("us", tz="UTC"): "timestamp with time zone",
    pa.list_(pa.string()): "varchar[]",
}


def duckdb_type(t: pa.DataType) -> str:
    return _DUCK_TYPES[t]


def view_sql(root: Path, table: str, schema: pa.Schema) -> str:
    src = _glob(root, table)
    if src is None:  # no data yet: an empty view with the right columns, so queries work on a new warehouse
        cols = ", ".join(f'cast(null as {duckdb_type(f.type)}) as "{f.name}"' for f in schema)
        return f"create or replace view {table} as select {cols} where false"
    cols = ", ".join(f'cast("{f.name}" as {duckdb_type(f.type)}) as "{f.name}"' for f in schema)
    return f"create or replace view {table} as select {cols} from read_parquet('{src}', union_by_name = true)"


def sql_files() -> list[Path]:
    """The layered SQL: staging views, then marts, each folder in name order."""
    return sorted((SQL_DIR / "staging").glob("*.sql")) + sorted((SQL_DIR / "marts").glob("*.sql"))


def refresh_views(root: Path) -> None:
    """(Re)create the base views over the Parquet files and the staging and mart views in the DuckDB file."""
    con = duckdb.connect(str(Path(root) / DB_FILE))
    try:
        for table, schema in schemas.ALL_TABLES.items():
            con.execute(view_sql(root, table, schema))
        for path in sql_files():
            con.execute(path.read_text(encoding="utf-8"))
    finally:
        con.close()


def _remove_stale_temp_files(root: Path) -> None:
    """Delete temporary files a killed run left behind (only called under the warehouse lock)."""
    for tmp in Path(root).glob("*/.*.parquet.tmp-*"):
        tmp.unlink(missing_ok=True)


class WarehouseLock:
    """An exclusive lock on a warehouse for the length of a run; a second run fails fast with WarehouseBusy."""

    def __init__(self, root: Path):
        self.path = Path(root) / ".lock"
        self._fh = None

    def __enter__(self) -> WarehouseLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.seek(0)
            holder = self._fh.read().strip() or "another process"
            self._fh.close()
            raise WarehouseBusy(f"another newsflow run ({holder}) is writing to {self.path.parent}") from None
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(f"pid {os.getpid()}")
        self._fh.flush()
        _remove_stale_temp_files(self.path.parent)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


@task(name="write", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def write_task(root: Path, batch: str, run_id: str, docs: list[Doc], rejects: list[Reject]) -> dict[str, int]:
    return write_batch(root, batch, run_id, docs, rejects)


@task(name="refresh_views", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def refresh_task(root: Path) -> int:
    n = refresh_entities(root)
    refresh_views(root)
    return n
