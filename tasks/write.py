"""Write: Parquet files per table and batch, replaced atomically, and the DuckDB views over them.

Layout under the warehouse folder:
    <table>/<batch>.parquet        documents, paragraphs, mentions, quotes, rejects, files (one file per batch)
    runs/<run_id>.parquet          one file per run
    entities/entities.parquet      recomputed from all mentions after each run
    newsflow.duckdb                views of the same names, plus warehouse/staging and warehouse/marts
The warehouse may also be `s3://bucket/prefix` (tasks/storage.py): then there is no DuckDB file (DuckDB cannot
keep one on S3); `open_catalog` builds the same views in memory over pyarrow datasets for each session.
A batch's file holds all of the batch's rows: a run that adds files to a batch rewrites the file with the old
rows and the new, so a rerun never appends twice. The `files` ledger is written last; rows of files it does
not list (left by a run killed half-way) are dropped at the next write, and those files are processed again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb
import pyarrow as pa

import schemas
from newsflow import __version__
from tasks.quotes import quote_id
from tasks.records import Doc, Reject
from tasks.storage import Location

DB_FILE = "newsflow.duckdb"
SQL_DIR = Path(__file__).resolve().parents[1] / "warehouse"
PIPELINE_VERSION = __version__


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


def _ts(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def batch_file(root: Path | str | Location, table: str, batch: str) -> Location:
    return Location.of(root) / table / f"{quote(batch, safe='')}.parquet"


def write_table(rows: list[dict] | pa.Table, schema: pa.Schema, path: Path | str | Location) -> None:
    """Write rows with an explicit schema to `path` atomically (readers see the old file or the new one)."""
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=schema)
    Location.of(path).write_table(table)


def read_rows(path: Path | str | Location) -> list[dict]:
    loc = Location.of(path)
    return loc.read_table().to_pylist() if loc.exists() else []


# -- the ledger ---------------------------------------------------------------------------------------------


def read_ledger(root: Path, batch: str) -> dict[str, dict]:
    """source_path -> ledger row for the files of `batch` already processed."""
    return {r["source_path"]: r for r in read_rows(batch_file(root, "files", batch))}


def known_documents(root: Path) -> dict[str, str]:
    """content sha256 -> source_path of every document in the warehouse."""
    out = {}
    for path in (Location.of(root) / "files").files():
        t = path.read_table(columns=["content_sha256", "source_path", "outcome"])
        for sha, src, outcome in zip(*(t.column(c).to_pylist() for c in ("content_sha256", "source_path", "outcome"))):
            if outcome == "document":
                out.setdefault(sha, src)
    return out


def read_entities(root: Path) -> list[dict]:
    """Rows of the warehouse's entities table (empty on a new warehouse)."""
    return read_rows(Location.of(root) / "entities" / "entities.parquet")


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
        version = {"pipeline_version": PIPELINE_VERSION}
        out["paragraphs"].extend({"doc_id": d.doc_id, **_pick(p, schemas.PARAGRAPHS), **version}
                                 for p in d.paragraphs)
        out["mentions"].extend({"doc_id": d.doc_id, **_pick(m, schemas.MENTIONS), **version} for m in d.mentions)
        out["quotes"].extend(
            {"quote_id": quote_id(d.doc_id, q), "doc_id": d.doc_id, **_pick(q, schemas.QUOTES), **version}
            for q in d.quotes
        )
    return out


def reject_rows(rejects: Iterable[Reject], run_id: str, at: float) -> list[dict]:
    return [
        {"run_id": run_id, "source_path": r.source.source_path, "batch": r.source.batch, "reason": r.reason,
         "detail": r.detail, "rejected_at": _ts(at), "pipeline_version": PIPELINE_VERSION}
        for r in rejects
    ]


def ledger_rows(docs: Iterable[Doc], rejects: Iterable[Reject], run_id: str) -> list[dict]:
    rows = [
        {"batch": d.source.batch, "source_path": d.source.source_path, "size": d.source.size,
         "mtime_ns": d.source.mtime_ns, "content_sha256": d.content_sha256, "doc_id": d.doc_id,
         "outcome": "document", "run_id": run_id, "pipeline_version": PIPELINE_VERSION}
        for d in docs
    ]
    rows += [
        {"batch": r.source.batch, "source_path": r.source.source_path, "size": r.source.size,
         "mtime_ns": r.source.mtime_ns, "content_sha256": r.content_sha256, "doc_id": None,
         "outcome": r.reason, "run_id": run_id, "pipeline_version": PIPELINE_VERSION}
        for r in rejects
    ]
    return rows


def write_batch(root: Path, batch: str, run_id: str, docs: list[Doc], rejects: list[Reject]) -> dict[str, int]:
    """Merge a batch's new results into its Parquet files, the ledger last; returns rows written per table.

    Rows of files processed again (changed or forced) are replaced; rows no ledger entry vouches for (left by
    a killed run) are dropped. Raises OSError on write failures (infrastructure, retried by Prefect).
    """
    root = Location.of(root)
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
    write_table([row], schemas.RUNS, Location.of(root) / "runs" / f"{row['run_id']}.parquet")


# -- global tables and views ----------------------------------------------------------------------------------


def _scan(con: duckdb.DuckDBPyConnection, root: Path | str | Location, table: str) -> str | None:
    """A FROM-able SQL expression over a table's Parquet files (local or on S3), or None when it has none.

    Local files are read by DuckDB directly; files on S3 are scanned through a pyarrow dataset registered on
    `con` (DuckDB's own S3 support, the httpfs extension, is downloaded at run time, which offline cannot do).
    """
    folder = Location.of(root) / table
    if not folder.files():
        return None
    if not folder.remote:
        return f"read_parquet('{folder / '*.parquet'}', union_by_name = true)"
    con.register(f"__scan_{table}", folder.dataset())
    return f"__scan_{table}"


def refresh_entities(root: Path) -> int:
    """Recompute the entities table from every batch's mentions; returns its row count.

    Ids are never recomputed here: tasks/entities.py gives each mention the id of the entity it links to
    (a known one keeps its id), so one id groups all the spellings in `aliases`. Name and label are the pair
    most of the entity's mentions carry, ties to the alphabetically first, so the table does not depend on the
    order the files are read in (DuckDB's `mode` does).
    """
    con = duckdb.connect()
    src = _scan(con, root, "mentions")
    if src is None:
        write_table([], schemas.ENTITIES, Location.of(root) / "entities" / "entities.parquet")
        return 0
    table = con.sql(
        f"""
        with source as (
            select * from {src}
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
    write_table(table.cast(schemas.ENTITIES), schemas.ENTITIES, Location.of(root) / "entities" / "entities.parquet")
    return table.num_rows


_DUCK_TYPES = {
    pa.string(): "varchar", pa.int64(): "bigint", pa.int32(): "integer", pa.float64(): "double",
    pa.bool_(): "boolean", pa.date32(): "date", pa.timestamp("us", tz="UTC"): "timestamp with time zone",
    pa.list_(pa.string()): "varchar[]",
}


def duckdb_type(t: pa.DataType) -> str:
    return _DUCK_TYPES[t]


def _create_views(con: duckdb.DuckDBPyConnection, root: Path | str | Location) -> None:
    """Base views over every table (typed by its schema; empty when it has no files), then the SQL layers."""
    for table, schema in schemas.ALL_TABLES.items():
        src = _scan(con, root, table)
        if src is None:  # no data yet: an empty view with the right columns, so queries work on a new warehouse
            cols = ", ".join(f'cast(null as {duckdb_type(f.type)}) as "{f.name}"' for f in schema)
            con.execute(f"create or replace view {table} as select {cols} where false")
        else:
            # a column added in a later version reads as NULL where only files written before it exist
            present = {d[0] for d in con.execute(f"select * from {src} limit 0").description}
            exprs = [(f'"{f.name}"' if f.name in present else "null", f) for f in schema]
            cols = ", ".join(f'cast({e} as {duckdb_type(f.type)}) as "{f.name}"' for e, f in exprs)
            con.execute(f"create or replace view {table} as select {cols} from {src}")
    for path in sql_files():
        con.execute(path.read_text(encoding="utf-8"))


def sql_files() -> list[Path]:
    """The layered SQL: staging views, then marts, each folder in name order."""
    return sorted((SQL_DIR / "staging").glob("*.sql")) + sorted((SQL_DIR / "marts").glob("*.sql"))


def views_version(root: Location) -> str:
    """A fingerprint of what the views are made of: the schemas, the SQL files, where the warehouse is and which
    tables have files. When it changes (an upgrade, a moved folder, a new table), the views are rebuilt."""
    h = hashlib.sha256(str(root).encode())
    h.update(repr([(name, str(schema)) for name, schema in schemas.ALL_TABLES.items()]).encode())
    h.update(repr([t for t in schemas.ALL_TABLES if (root / t).files()]).encode())
    for path in sql_files():
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:16]


def refresh_views(root: Path | str | Location) -> None:
    """(Re)create the views in the warehouse's DuckDB file; a remote warehouse has none (see open_catalog)."""
    loc = Location.of(root)
    if loc.remote:
        return
    con = duckdb.connect(str(loc / DB_FILE))
    try:
        _create_views(con, loc)
        con.execute("create or replace table _newsflow_views as select ? as version", [views_version(loc)])
    finally:
        con.close()


def _views_current(db: Location, loc: Location) -> bool:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select version from _newsflow_views").fetchone()[0] == views_version(loc)
    except duckdb.Error:
        return False
    finally:
        con.close()


def open_catalog(root: Path | str | Location) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the warehouse's views: the DuckDB file (read-only) of a local warehouse, or
    for one on S3 an in-memory database whose views scan the Parquet objects through pyarrow.

    Raises FileNotFoundError when there is no warehouse there.
    """
    loc = Location.of(root)
    if not loc.remote:
        db = loc / DB_FILE
        if not db.exists():
            raise FileNotFoundError(f"no warehouse at {loc} (no {DB_FILE}); run `newsflow run` first")
        if not _views_current(db, loc):  # made by an older newsflow, or moved: rebuild, then read
            try:
                with WarehouseLock(loc):
                    refresh_views(loc)
            except WarehouseBusy:
                pass  # a run is writing and refreshes the views itself; read what is there
        return duckdb.connect(str(db), read_only=True)
    if not (loc / "runs").files():
        raise FileNotFoundError(f"no warehouse at {loc} (no runs); run `newsflow run` first")
    con = duckdb.connect()
    _create_views(con, loc)
    return con


def _remove_stale_temp_files(root: Path) -> None:
    """Delete temporary files a killed run left behind (only called under the warehouse lock)."""
    for tmp in Path(root).glob("*/.*.parquet.tmp-*"):
        tmp.unlink(missing_ok=True)


class WarehouseLock:
    """An exclusive lock on a warehouse for the length of a run; a second run fails fast with WarehouseBusy.

    The lock is a file: in a local warehouse, `.lock` inside it; for one on S3, a file under
    ~/.cache/newsflow/locks named after the URI, so it only excludes runs on the same machine.
    """

    def __init__(self, root: Path | str | Location):
        self.root = Location.of(root)
        if self.root.remote:
            digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
            self.path = Path.home() / ".cache" / "newsflow" / "locks" / f"{digest}.lock"
        else:
            self.path = Path(self.root.path) / ".lock"
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
            raise WarehouseBusy(f"another newsflow run ({holder}) is writing to {self.root}") from None
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(f"pid {os.getpid()}")
        self._fh.flush()
        if not self.root.remote:
            _remove_stale_temp_files(self.path.parent)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()
