"""The `newsflow` command line: run, backfill, sql, status, inspect, serve, report.

User mistakes (a missing folder, a bad option, a bad query) print one line on stderr and exit 2; only real
bugs show a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from newsflow import __version__
from newsflow.settings import REPO_ROOT, SettingsError, apply_prefect_defaults, load_settings


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


class RunFailed(Exception):
    """A run that stopped for a reason outside the user's input and options (a worker process killed); printed as
    one line, exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (with a pointer to --help), exit status 2."""

    def error(self, message: str):
        self.exit(2, f"newsflow: error: {message} (see `{self.prog} --help`)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


def _processes(text: str) -> int:
    """--processes: 1 to 64, as RunOptions allows."""
    value = _positive(text)
    if value > 64:
        raise argparse.ArgumentTypeError(f"must be 64 or fewer: {value}")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    s = load_settings()
    parser = Parser(
        prog="newsflow",
        description="Batch ETL for news articles: raw files -> clean text, entities, quotes -> Parquet + DuckDB.",
        epilog="Example: newsflow run && newsflow sql --file warehouse/queries/top_speakers.sql",
    )
    parser.add_argument("--version", action="version", version=f"newsflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_warehouse(p):
        p.add_argument("--warehouse", default=s.warehouse, metavar="DIR",
                       help=f"warehouse folder or s3://bucket/prefix (default: {s.warehouse}; env NEWSFLOW_WAREHOUSE)")

    def add_run_options(p):
        add_warehouse(p)
        p.add_argument("--processes", type=_processes, default=1, metavar="N",
                       help="worker processes, 1-64: up to N batches (or parts of a large batch) at once, or "
                            "spaCy in N processes when a single part is new (default: 1)")
        p.add_argument("--force", action="store_true", help="reprocess files already in the warehouse")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only the summary")
        p.add_argument("--task-runner", choices=("default", "dask"), default="default",
                       help="default: stages run in this process, batch after batch; dask: each stage runs over all "
                       "batches at once on a Dask cluster (prefect-dask)")
        p.add_argument("--dask-address", metavar="ADDR",
                       help="with --task-runner dask: scheduler of an existing Dask cluster (default: start a "
                       "LocalCluster)")
        p.add_argument("--dask-workers", type=_positive, default=2, metavar="N",
                       help="with --task-runner dask: workers of the LocalCluster (default: 2)")

    run = sub.add_parser("run", help="process every new file under INPUT_ROOT (the nightly flow)",
                         description="Process every file under INPUT_ROOT not processed before. Each sub-folder "
                         "is a batch named after it; files directly in INPUT_ROOT form a batch named after it.")
    run.add_argument("input_root", nargs="?", type=Path, default=s.input_root, metavar="INPUT_ROOT",
                     help=f"folder of batch folders (default: {s.input_root}, the bundled sample unless env "
                     "NEWSFLOW_INPUT says otherwise)")
    add_run_options(run)

    bf = sub.add_parser("backfill", help="process the named folders (or a date range of batch folders) as batches",
                        description="Process each FOLDER as one batch named after it (same pipeline as run), or "
                        "the batch folders of --input-root whose names lie in [--since, --until] (compared as text, "
                        "so ISO dates work). Folders already processed are skipped unless --force.")
    bf.add_argument("folders", nargs="*", type=Path, metavar="FOLDER",
                    help="folders to process, each one batch (or use --input-root instead)")
    bf.add_argument("--input-root", type=Path, metavar="DIR", help="choose batch folders of DIR by name range")
    bf.add_argument("--since", metavar="NAME",
                    help="with --input-root: first batch folder name (inclusive), e.g. 2025-03-01")
    bf.add_argument("--until", metavar="NAME", help="with --input-root: last batch folder name (inclusive)")
    add_run_options(bf)

    sql = sub.add_parser("sql", help="run SQL against the warehouse views",
                         description="Run a query against the DuckDB views (documents, paragraphs, entities, "
                         "mentions, quotes, runs, rejects, files, signatures, syndication, stories, "
                         "syndication_groups, story_clusters, stg_*, mart_*). Give QUERY or --file, not both.")
    sql.add_argument("query", nargs="?", help="the SQL query")
    sql.add_argument("--file", type=Path, help="read the query from a file instead of QUERY")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table",
                     help="table (default), csv, or json (one array of row objects)")
    add_warehouse(sql)

    st = sub.add_parser("status", help="recent runs and row counts per table",
                        description="Show the ten most recent runs (status, files, documents, rejects) and the "
                        "row count of every table.")
    add_warehouse(st)

    sv = sub.add_parser("serve", help="run the nightly schedule: Prefect server, deployments, worker",
                        description="Start a Prefect server on 127.0.0.1:PORT, register the deployments of "
                        "prefect.yaml (nightly on its cron schedule, backfill on demand) and run a process worker "
                        "until Ctrl-C. The UI is at http://127.0.0.1:PORT.")
    sv.add_argument("--port", type=_port, default=4200, help="server port (default: 4200)")
    sv.add_argument("--log-dir", type=Path, default=REPO_ROOT / "warehouse" / "data" / "serve-logs", metavar="DIR",
                    help="where the server and worker logs go (default: warehouse/data/serve-logs)")

    rp = sub.add_parser("report", help="write a self-contained HTML report of the warehouse",
                        description="Write an HTML report (top speakers, entity timeline, story clusters, "
                        "syndication groups, rejects by reason) that opens in a browser with no network.")
    add_warehouse(rp)
    rp.add_argument("--out", type=Path, default=Path("newsflow-report.html"), metavar="FILE.html",
                    help="where to write it (default: newsflow-report.html)")

    ins = sub.add_parser("inspect", help="show what each stage decides for some files (touches no warehouse)",
                         description="Run the stages on the given files (as one batch) without Prefect or a "
                         "warehouse, and show per file: encoding and repairs, language, metadata, every paragraph "
                         "kept or removed with the reason, entity mentions and quotes.")
    ins.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ins.add_argument("--format", choices=("table", "json"), default="table",
                     help="table (default) or json (one array, an object per file)")
    return parser


# -- run / backfill -----------------------------------------------------------------------------------------


def _setup_logging(quiet: bool) -> None:
    from rich.logging import RichHandler

    handler = RichHandler(show_path=False, show_level=False, markup=False, log_time_format="[%X]")
    logger = logging.getLogger("newsflow")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


def cmd_run(args) -> int:
    apply_prefect_defaults()
    _setup_logging(args.quiet)
    if args.command == "run" and not args.input_root.is_dir():
        raise UserError(f"input folder not found: {args.input_root}")
    if args.command == "backfill":
        if bool(args.folders) == bool(args.input_root):
            raise UserError("backfill needs FOLDER... or --input-root DIR (with --since/--until), not both")
        missing = [str(f) for f in [*args.folders, *filter(None, [args.input_root])] if not f.is_dir()]
        if missing:
            raise UserError(f"backfill folder not found: {', '.join(missing)}")
    mode = load_settings().prefect_server
    if mode not in ("own", "prefect"):
        raise UserError(f"NEWSFLOW_PREFECT_SERVER must be 'own' or 'prefect', not {mode!r}")
    server = None
    if not os.environ.get("PREFECT_API_URL") and mode == "own":
        # before the imports below: Prefect reads PREFECT_API_URL when it is imported (see EmbeddedServer)
        server = EmbeddedServer()
        if not _may_be_noop(args):
            server.start()  # now, so that it starts while this process imports the pipeline
    return _run(args, server)


def _may_be_noop(args) -> bool:
    """Whether the run checks for nothing new before starting a flow (and then may start none)."""
    return args.command == "run" and not args.force and args.task_runner == "default"


def _run(args, server: EmbeddedServer | None) -> int:
    from flows.runs import RunOptions, WorkerDied, record_noop_run
    from tasks.write import WarehouseBusy

    settings = load_settings()
    options = RunOptions(force=args.force, processes=args.processes, model=settings.model,
                         max_file_bytes=settings.max_file_bytes, part_files=settings.part_files)
    try:
        # checked before Prefect is imported, which is about half of a no-op run
        summary = record_noop_run(args.input_root, args.warehouse, options) if _may_be_noop(args) else None
        if summary is not None:
            logging.getLogger("newsflow").info("nothing new under %s: run recorded, no flow started",
                                               args.input_root)
        else:
            if server is not None:
                server.start()  # if not started yet (the no-op check came first): while the pipeline is imported
            _check_model(options.model)
            flow_fn = _flow(args)
            _one_line_for_dead_workers()
            logging.getLogger("newsflow").info("starting %s (Prefect embedded server unless PREFECT_API_URL was "
                                               "set)", args.command)
            _prestart_workers(args, options)
            if server is not None:
                _warm_up(args)
                _import_flow_engine()
                server.wait()
            if args.command == "run":
                summary = flow_fn(input_root=args.input_root, warehouse=args.warehouse, options=options)
            else:
                summary = flow_fn(folders=args.folders or None, input_root=args.input_root, since=args.since,
                                  until=args.until, warehouse=args.warehouse, options=options)
    except WarehouseBusy as exc:
        raise UserError(str(exc)) from None
    except WorkerDied as exc:
        raise RunFailed(str(exc)) from None
    finally:
        if "flows.pipeline" in sys.modules:
            sys.modules["flows.pipeline"].discard_prestarted_pools()
    print_summary(summary)
    return 0


def _check_model(model: str) -> None:
    """A spaCy model that is neither installed nor a folder is the user's mistake (NEWSFLOW_MODEL): one line now,
    not a traceback from a batch later. Checked by name, without importing spaCy (tasks/nlp.py falls back to the
    official package name, so either will do)."""
    from importlib.util import find_spec

    from tasks.nlp import NlpOptions

    def found(name: str) -> bool:
        try:
            return Path(name).is_dir() or find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    if not (found(model) or found(NlpOptions().fallback_model)):
        raise UserError(f"spaCy model {model!r} is not installed (set NEWSFLOW_MODEL to an installed model or a "
                        f"model folder; the default is {NlpOptions().model!r}, which scripts/setup.sh installs)")


def _flow(args):
    """The Prefect flow the command runs, with the Dask task runner when asked for."""
    from flows.pipeline import backfill, nightly

    flow_fn = nightly if args.command == "run" else backfill
    if args.task_runner == "dask":
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # workers inherit it; INFO floods the console
        from prefect_dask import DaskTaskRunner

        runner = (DaskTaskRunner(address=args.dask_address) if args.dask_address else
                  DaskTaskRunner(cluster_kwargs={"n_workers": args.dask_workers, "threads_per_worker": 1}))
        flow_fn = flow_fn.with_options(task_runner=runner)
    return flow_fn


def _prestart_workers(args, options) -> None:
    """With --processes N and two or more batches to process, start the pool's workers now, so that they import
    the stages and load the model while Prefect's server starts, instead of after the flow begins (the flow takes
    them: `flows.pipeline.prestart_pool`). Not for Dask, whose workers are its own."""
    if args.processes < 2 or args.task_runner != "default":
        return
    from flows.pipeline import backfill_batches, prestart_pool
    from tasks.ingest import discover_batches

    batches = (discover_batches(args.input_root) if args.command == "run" else
               backfill_batches(args.folders or None, args.input_root, args.since, args.until))
    workers = prestart_pool(batches, args.warehouse, options)
    if workers:
        logging.getLogger("newsflow").info("%d worker processes starting", workers)


def _warm_up(args) -> None:
    """While the embedded server starts on the other core, load what the first batch would load anyway: spaCy's
    model (`tasks.nlp.load_nlp`, cached per process, called with the arguments the flow uses) and langdetect's
    profiles (per process). Only when the stages run in this process (one process, default runner); pool and
    Dask workers load their own."""
    if args.processes != 1 or args.task_runner != "default":
        return
    from tasks.language import detect_language
    from tasks.nlp import NlpOptions, load_nlp

    detect_language("warm up the language profiles")
    nlp = NlpOptions(model=load_settings().model)
    try:
        load_nlp(nlp.model, nlp.fallback_model, nlp.exclude)
    except Exception:  # noqa: BLE001 - e.g. no such model: the flow meets the same error where it reports it
        pass


class _NoTracebackForDeadWorkers(logging.Filter):
    """Drops the traceback from Prefect's records of a pool worker that died (BrokenProcessPool, WorkerDied):
    every batch in the pool fails with it, and each task's and the flow's traceback (about 240 lines for three
    batches) would bury the one line the CLI prints about it (`RunFailed`). Their one-line messages stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        from concurrent.futures.process import BrokenProcessPool

        from flows.runs import WorkerDied

        if record.exc_info and isinstance(record.exc_info[1], (BrokenProcessPool, WorkerDied)):
            record.exc_info, record.exc_text = None, None
        return True


def _one_line_for_dead_workers() -> None:
    """Install `_NoTracebackForDeadWorkers` on Prefect's flow- and task-run loggers (after Prefect configured its
    logging, which happens when it is imported)."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTracebackForDeadWorkers) for f in logger.filters):
            logger.addFilter(_NoTracebackForDeadWorkers())


def _import_flow_engine() -> None:
    """Import what Prefect 3.8.8 imports on a process's first flow call, while the embedded server starts instead
    of after it answers: its flow and task engines, and fastapi's `jsonable_encoder`, which
    `Flow.serialize_parameters` imports to encode the parameters of the new flow run (fastapi alone: ~0.6 CPU-s,
    py-spy, bench/bench_startup.py)."""
    import importlib

    for module in ("fastapi.encoders", "prefect.flow_engine", "prefect.task_engine"):
        try:
            importlib.import_module(module)
        except ImportError:  # another Prefect version: the flow imports what it needs itself
            pass


class EmbeddedServer:
    """Prefect's embedded API server for one run, started by the CLI rather than by Prefect.

    Prefect 3.8.8 starts the same server itself (ephemeral mode: `SubprocessASGIServer` in
    prefect/server/api/server.py) when the flow first calls its API: it imports that module in this process
    first (the whole FastAPI server: 2.4-2.9 CPU-s measured, for a process that never serves it), then spawns
    `python -m uvicorn --factory prefect.server.api.server:create_app` and blocks until `/health` answers; only
    then does the flow start. Here the same command, with the same environment, is spawned by the CLI, with
    `create_embedded_app` as the factory (Prefect's app, without the migrations and block registration a current
    database does not need), and this process never imports the server; PREFECT_API_URL, set before Prefect is
    imported, points every Prefect client of the run at it (Dask workers inherit it too, instead of each starting a
    server of its own). The server starts at the top of the run when the run cannot be a no-op (--force, backfill,
    Dask), so that it starts while this process imports the pipeline; otherwise right after the no-op check (a
    no-op run starts no server at all), before that import. While it starts, this process loads spaCy's model and
    langdetect's profiles (`_warm_up`) or, with --processes N over several batches, starts the pool's workers,
    which load them (`_prestart_workers`), and imports Prefect's flow engine (`_import_flow_engine`).
    NEWSFLOW_PREFECT_SERVER=prefect leaves the server to Prefect, as before. Measured: bench/bench_startup.py.
    """

    # Prefect's own choice of ports for its temporary server: outside the kernel's ephemeral range (32768+),
    # so no outgoing connection takes the port between the check and uvicorn's bind a few seconds later.
    PORTS = range(8000, 9000)

    def __init__(self):
        """Choose the server's port and set PREFECT_API_URL to it; start() spawns the server."""
        import random
        import socket

        self.process = None
        self.port: int | None = None
        for port in random.sample(self.PORTS, 20):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self.port = port
            break
        else:
            raise UserError(f"no free port for Prefect's embedded server in {self.PORTS}")
        os.environ["PREFECT_API_URL"] = self.api_url

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        """Spawn the server (once); returns at once: wait() waits for it to answer."""
        import atexit
        import subprocess

        if self.process is not None:
            return
        # as prefect.server.api.server.SubprocessASGIServer._run_uvicorn_command (3.8.8): no UI, ephemeral services
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL")
        self.process = subprocess.Popen([
            sys.executable, "-m", "uvicorn", "--factory", "newsflow.cli:create_embedded_app",
            "--app-dir", str(Path(__file__).resolve().parents[1]),
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
        ], env=env)
        # stopped at exit, as Prefect stops its own: atexit runs last-registered first, so Prefect's log and
        # event workers (registered during the flow) flush to the server before it goes
        atexit.register(self.stop)

    def wait(self) -> None:
        """Block until the server answers on /health; raises UserError if it exits or does not answer in
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS."""
        import time
        import urllib.request

        limit = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "20"))
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UserError(f"Prefect's embedded server exited with status {self.process.returncode} before it "
                                f"answered on port {self.port} (see its messages above)")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise UserError(f"Prefect's embedded server did not answer on port {self.port} within {limit:g} s "
                        "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        """Stop the server (as Prefect stops its own: terminate, then kill after 5 s). Safe to call twice."""
        import subprocess

        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


# -- the embedded server's process ----------------------------------------------------------------------------

# Set in the server's process when its database is current (see create_embedded_app), unless set in the
# environment already.
_SKIP_WHEN_CURRENT = {
    "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false",
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
}
_SERVER_MEMO = "newsflow-embedded-server.json"


def create_embedded_app():
    """The ASGI app of EmbeddedServer's process (a uvicorn factory): Prefect's own
    `create_app(ephemeral=True, final=True)`, as Prefect's ephemeral server runs it, minus two steps of its start
    that find nothing to do when the database is current:

    * the migrations (`alembic upgrade`, ~0.2 CPU-s on a current database), and
    * block-type registration, which Prefect memoizes, but its check of the memo imports every installed
      collection first (here prefect_dask, and with it dask.distributed) and hashes the block registry:
      ~0.3 CPU-s and 14 % of the server's start in py-spy.

    "Current" means: a SQLite database (Prefect's default) whose alembic version and number of block types are
    those recorded in PREFECT_HOME/newsflow-embedded-server.json by the last full start of this factory on it,
    under the same Prefect version and the same installed collections. Anything else (a new database, a Prefect
    upgrade, a new collection, PostgreSQL, an unreadable database or memo) gets Prefect's full start, after
    which the memo is written. The services are Prefect's own for an ephemeral server, unchanged (the task-run
    recorder and event persister record the run)."""
    from contextlib import asynccontextmanager

    import prefect.context
    from prefect.settings import get_current_settings

    try:
        settings = get_current_settings()
        database = _sqlite_database(settings)
        memo_path = Path(settings.home) / _SERVER_MEMO
        facts = _server_facts(database) if database is not None else None
    except (AttributeError, TypeError, ValueError):  # a Prefect whose settings moved: its own full start, no memo
        database = facts = None
    # Prefect read its settings when it was imported: they are re-read after the change (3.8.8's own function for
    # that; without it, e.g. after an upgrade that drops it, the start is Prefect's full one)
    refresh = getattr(prefect.context, "refresh_global_settings_context", None)
    current = facts is not None and refresh is not None and _read_memo(memo_path) == facts
    if current:
        for key, value in _SKIP_WHEN_CURRENT.items():
            os.environ.setdefault(key, value)
        refresh()

    from prefect.server.api.server import create_app

    app = create_app(ephemeral=True, final=True)
    full_start = getattr(app.router, "lifespan_context", None)  # Starlette's lifespan hook
    if current or database is None or full_start is None:
        return app

    @asynccontextmanager
    async def lifespan(app):
        async with full_start(app) as state:  # migrations and block registration done
            after = _server_facts(database)
            if after is not None:
                _write_memo(memo_path, after)
            yield state

    app.router.lifespan_context = lifespan
    return app


def _sqlite_database(settings) -> Path | None:
    """The server's database file if it is SQLite (Prefect's default), else None."""
    url = settings.server.database.connection_url
    url = url.get_secret_value() if hasattr(url, "get_secret_value") else str(url or "")
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix) or "?" in url or ":memory:" in url:
        return None
    return Path(url[len(prefix):]).resolve()


def _server_facts(database: Path) -> dict | None:
    """What makes the server's database current for this Prefect: its alembic version and number of block types,
    Prefect's version and the installed collections; None if the database cannot be read."""
    import sqlite3
    from importlib.metadata import entry_points

    import prefect

    if not database.is_file():
        return None
    try:
        con = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            version = [r[0] for r in con.execute("select version_num from alembic_version")]
            block_types = con.execute("select count(*) from block_type").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None
    collections = sorted(f"{ep.name}={ep.dist.version if ep.dist else ''}"
                         for ep in entry_points(group="prefect.collections"))
    return {"database": str(database), "alembic_version": version, "block_types": block_types,
            "prefect": prefect.__version__, "collections": collections}


def _read_memo(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_memo(path: Path, facts: dict) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(facts), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # no memo: the next start is a full one, as Prefect's own


def print_summary(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"newsflow run {summary['run_id']}", show_header=True)
    for col in ("batch", "files", "new", "documents", "rejects", "quotes", "mentions"):
        table.add_column(col, justify="left" if col == "batch" else "right")
    for name, b in summary["batches"].items():
        table.add_row(name, str(b["files"]), str(b["new"]), str(b["documents"]), str(sum(b["rejects"].values())),
                      str(b["quotes"]), str(b["mentions"]))
    console.print(table)
    rejects = ", ".join(f"{k}={v}" for k, v in sorted(summary["rejects"].items())) or "none"
    console.print(
        f"files seen {summary['files']}, new {summary['new']}, documents written {summary['documents']}, "
        f"entities {summary.get('entities', 0)}; rejects: {rejects}; {summary['seconds']} s\n"
        f"time per stage (s): {', '.join(f'{k} {v}' for k, v in summary['stage_seconds'].items())}\n"
        f"warehouse: {summary['warehouse']}"
    )


# -- sql / status ---------------------------------------------------------------------------------------------


def _connect(warehouse: str):
    import duckdb
    import pyarrow

    from tasks.write import open_catalog

    try:
        return open_catalog(warehouse)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except (duckdb.IOException, OSError, pyarrow.ArrowException) as exc:
        raise UserError(f"cannot open the warehouse {warehouse}: {str(exc).splitlines()[0]}") from None


def _json_value(v):
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def query(warehouse: str, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one query against the warehouse; returns (column names, rows). Raises UserError on bad SQL."""
    import duckdb

    con = _connect(warehouse)
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()
    except duckdb.Error as exc:
        raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def cmd_sql(args) -> int:
    if args.file and args.query:
        raise UserError("give a query or --file FILE, not both")
    if args.file:
        if not args.file.is_file():
            raise UserError(f"query file not found: {args.file}")
        sql = args.file.read_text(encoding="utf-8")
    elif args.query:
        sql = args.query
    else:
        raise UserError("give a query, or --file FILE")
    cols, rows = query(args.warehouse, sql)
    out = sys.stdout
    if args.format == "json":
        json.dump([dict(zip(cols, r)) for r in rows], out, default=_json_value, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        w = csv.writer(out)
        w.writerow(cols)
        w.writerows(rows)
    else:
        _print_table(cols, rows)
    return 0


def _print_table(cols: list[str], rows: list[tuple], title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    def cell(v) -> str:
        text = "" if v is None else str(v)
        return text if len(text) <= 80 else text[:77] + "..."

    table = Table(*cols, title=title)
    for r in rows:
        table.add_row(*(cell(v) for v in r))
    Console().print(table)
    Console().print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def cmd_status(args) -> int:
    import schemas

    cols, rows = query(args.warehouse, "select run_id, flow, status, started_at, finished_at, n_files_seen, "
                       "n_files_new, n_documents, n_rejects from runs order by started_at desc limit 10")
    _print_table(cols, rows, title="recent runs")
    counts = [(t, query(args.warehouse, f"select count(*) from {t}")[1][0][0]) for t in schemas.ALL_TABLES]
    _print_table(["table", "rows"], counts, title="rows per table")
    return 0


def cmd_serve(args) -> int:
    apply_prefect_defaults()
    from newsflow.serve import serve

    return serve(args.port, args.log_dir)


def cmd_report(args) -> int:
    from newsflow.report import write_report

    try:
        out = write_report(args.warehouse, args.out)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    print(f"report written: {out.resolve()}")
    return 0


def cmd_inspect(args) -> int:
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise UserError(f"file not found: {', '.join(missing)}")
    from newsflow.inspect import inspect_files
    from tasks.nlp import NlpOptions

    s = load_settings()
    results = inspect_files(args.files, s.max_file_bytes, NlpOptions(model=s.model))
    if args.format == "json":
        json.dump(results, sys.stdout, ensure_ascii=False, default=_json_value)
        sys.stdout.write("\n")
        return 0
    for r in results:
        _print_inspection(r)
    return 0


def _print_inspection(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.rule(r["path"])
    if "reject" in r:
        console.print(f"rejected: {r['reject']['reason']} ({r['reject']['detail']})")
        return
    for key in ("encoding", "repairs", "language", "language_prob", "title", "byline", "published", "url"):
        console.print(f"{key:>13}: {r[key]}")
    paras = Table("idx", "kept", "reason", "lang", "text", title="paragraphs")
    for p in r["paragraphs"]:
        text = p["text"] if len(p["text"]) <= 90 else p["text"][:87] + "..."
        paras.add_row(str(p["idx"]), "yes" if p["kept"] else "no", p["reason"] or "", p["language"], text)
    console.print(paras)
    names: dict[tuple, set] = {}
    for m in r["mentions"]:
        names.setdefault((m["name"], m["label"]), set()).add(m["text"])
    ents = Table("entity", "label", "as written", title=f"mentions ({len(r['mentions'])})")
    for (name, label), forms in sorted(names.items()):
        ents.add_row(name, label, ", ".join(sorted(forms)))
    console.print(ents)
    quotes = Table("speaker", "mention", "cue", "kind", "quote", title=f"quotes ({len(r['quotes'])})")
    for q in r["quotes"]:
        text = q["text"] if len(q["text"]) <= 70 else q["text"][:67] + "..."
        quotes.add_row(q["speaker"] or "", q["speaker_mention"] or "", q["cue"] or "", q["kind"], text)
    console.print(quotes)


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
    except SettingsError as exc:
        print(f"newsflow: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        commands = {"run": cmd_run, "backfill": cmd_run, "sql": cmd_sql, "status": cmd_status, "inspect": cmd_inspect,
                    "serve": cmd_serve, "report": cmd_report}
        return commands[args.command](args)
    except UserError as exc:
        print(f"newsflow: error: {exc}", file=sys.stderr)
        return 2
    except RunFailed as exc:
        print(f"newsflow: run failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsflow: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
