"""Where the fixed start-up of `newsflow run` goes: a breakdown over a few runs on the bundled sample (issue 7).

    .venv/bin/python bench/bench_startup.py [--runs 3] [--input sample] [--modes own,prefect] [--probes 3]

Each run is `newsflow run INPUT --warehouse <fresh> --quiet` in a fresh interpreter (`cli.main`, timed from
inside), so there is a flow to start and five documents to process. All runs of a mode share one Prefect home
(made fresh per invocation: its first run creates the database, the others find it current, as on a machine
that ran before). Modes (NEWSFLOW_PREFECT_SERVER): `own` — the CLI starts Prefect's embedded server itself, at
the top of the run, while it imports the pipeline (newsflow/cli.py `EmbeddedServer`); `prefect` — Prefect starts
it the first time the flow needs its API (Prefect's own ephemeral mode, as before issue 7).

The modes alternate run by run. Per run, wall seconds of the main process's timeline (CPU of the whole process
tree beside it):

| column | from → to |
|---|---|
| interpreter | process start → `newsflow.cli` imported |
| imports | → the no-op check starts (`flows.runs`, the warehouse modules; no Prefect yet) |
| no-op check | → `flows.runs.record_noop_run` returned (ledger and file stats, under the warehouse lock) |
| pipeline import | → `flows.pipeline` imported (Prefect, the stage modules, spaCy's language data, ...) |
| Prefect start | → the flow body starts: the server (imported, spawned, healthy) and the flow run created |
| (warm-up) | `own` mode: spaCy's model and langdetect's profiles loaded while the server starts (`_warm_up`) |
|  | (in `prefect` mode the first batch loads them, inside the flow body) |
| (server up) | the server process spawned → it first answered on `/health` (in `own` mode, from the top of the run) |
| (waiting for the server) | how long the main process was blocked waiting for that answer |
| (flow run created) | the server's first answer → the flow body starts (Prefect creates the flow run and enters it) |
| flow body | `run_batches`: the batches, spaCy's model load included |
| flow end | → `cli.main` returned (Prefect finishing the flow run) |
| exit | → the process ended (the embedded server stopped) |

Then the server's own start in a fresh interpreter, in steps (`--probe-server`, `--probes` times per app,
alternating): import of `prefect.server.api.server`, creating the app, and the app's lifespan start (database
migrations, block registration, services), with the migrations and the block registration timed alone; once with
Prefect's `create_app` (what Prefect's ephemeral server runs) and once with `newsflow.cli.create_embedded_app`
(what EmbeddedServer runs: the same app, without migrations and block registration when the database is current).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ("interpreter", "imports", "noop_check", "pipeline_import", "prefect_start", "warm_up", "server_up",
           "server_wait", "flow_run_created", "flow_body", "flow_end", "exit")


def _process_start_wall() -> float:
    """This process's start as a time.time() value (from /proc: boot time + start ticks)."""
    with open("/proc/stat") as fh:
        btime = next(int(line.split()[1]) for line in fh if line.startswith("btime"))
    with open("/proc/self/stat") as fh:
        start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
    return btime + start_ticks / os.sysconf("SC_CLK_TCK")


def child(input_root: str, warehouse: str, out: str) -> None:
    """One `newsflow run`, with timestamps (time.time()) at the phase boundaries written to `out` as JSON."""
    marks = {"process_start": _process_start_wall()}
    sys.path.insert(0, str(REPO))
    from newsflow import cli
    from newsflow.settings import apply_prefect_defaults

    marks["cli_imported"] = time.time()
    apply_prefect_defaults()  # as cmd_run does, before anything imports prefect
    _mark_server(cli, marks)
    # cmd_run checks for a no-op (flows.runs, no Prefect), then imports the pipeline (cli._flow) and runs the flow
    import flows.runs

    real_noop, real_flow = flows.runs.record_noop_run, cli._flow

    def noop(*a, **k):
        marks["noop_start"] = time.time()
        try:
            return real_noop(*a, **k)
        finally:
            marks["noop_checked"] = time.time()

    def flow(args):
        fn = real_flow(args)
        marks["pipeline_imported"] = time.time()
        import flows.pipeline as fp

        real_body = fp.run_batches

        def body(*a, **k):
            marks["body_start"] = time.time()
            try:
                result = real_body(*a, **k)
                marks["stages"] = result.get("stage_seconds")
                return result
            finally:
                marks["body_end"] = time.time()

        fp.run_batches = body
        return fn

    flows.runs.record_noop_run, cli._flow = noop, flow
    with open(os.devnull, "w") as devnull:
        stdout, sys.stdout = sys.stdout, devnull
        try:
            marks["status"] = cli.main(["run", input_root, "--warehouse", warehouse, "--quiet"])
        finally:
            sys.stdout = stdout
    marks["cli_returned"] = time.time()
    Path(out).write_text(json.dumps(marks))


def _mark_server(cli, marks: dict) -> None:
    """Mark when the server process is spawned and when it first answers, and how long the main thread waited
    for it: in `prefect` mode Prefect's start() blocks from the spawn to the first answer; in `own` mode the CLI
    waits in EmbeddedServer.wait()."""
    import subprocess

    import httpx

    real_popen_init = subprocess.Popen.__init__

    def popen_init(self, args, *a, **k):
        if "uvicorn" in map(str, args) and "server_spawned" not in marks:
            marks["server_spawned"] = time.time()
        return real_popen_init(self, args, *a, **k)

    subprocess.Popen.__init__ = popen_init
    real_get = httpx.Client.get

    def get(self, url, *a, **k):  # Prefect's own start() polls /health with httpx
        response = real_get(self, url, *a, **k)
        if str(url).endswith("/health") and response.status_code == 200 and "server_healthy" not in marks:
            marks["server_healthy"] = time.time()
            marks["server_wait"] = marks["server_healthy"] - marks.get("server_spawned", marks["server_healthy"])
        return response

    httpx.Client.get = get
    server_class = getattr(cli, "EmbeddedServer", None)
    if server_class is not None:
        real_wait = server_class.wait

        def wait(self):
            t = time.time()
            try:
                return real_wait(self)
            finally:
                marks["server_healthy"] = time.time()
                marks["server_wait"] = marks["server_healthy"] - t

        server_class.wait = wait
    real_warm = getattr(cli, "_warm_up", None)
    if real_warm is not None:
        def warm(args):
            t = time.time()
            try:
                return real_warm(args)
            finally:
                marks["warm_up"] = time.time() - t

        cli._warm_up = warm


def probe_server(out: str, factory: str) -> None:
    """The embedded server's start in steps, in this fresh interpreter (Prefect's environment for it); `factory`:
    `prefect` (Prefect's create_app, as its own ephemeral server runs it) or `newsflow` (cli.create_embedded_app,
    what EmbeddedServer runs)."""
    os.environ.update({"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"})
    sys.path.insert(0, str(REPO))
    from newsflow.settings import apply_prefect_defaults

    apply_prefect_defaults()
    import asyncio

    rec = {}
    t, c = time.perf_counter(), time.process_time()
    import prefect.server.api.server as server

    rec["import"] = (time.perf_counter() - t, time.process_time() - c)
    import prefect.server.database.interface as interface

    def timed(key, fn):
        async def wrapper(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return await fn(*a, **k)
            finally:
                rec[key] = (time.perf_counter() - t, time.process_time() - c)
        return wrapper

    interface.PrefectDBInterface.create_db = timed("migrations", interface.PrefectDBInterface.create_db)
    memoize = server._memoize_block_auto_registration  # applied to the block registration inside create_app
    server._memoize_block_auto_registration = lambda fn: timed("blocks", memoize(fn))
    t, c = time.perf_counter(), time.process_time()
    if factory == "newsflow":
        from newsflow.cli import create_embedded_app

        app = create_embedded_app()
    else:
        app = server.create_app(ephemeral=True, final=True)
    rec["create_app"] = (time.perf_counter() - t, time.process_time() - c)

    async def lifespan():
        t, c = time.perf_counter(), time.process_time()
        async with app.router.lifespan_context(app):
            rec["lifespan"] = (time.perf_counter() - t, time.process_time() - c)
            await asyncio.sleep(0.5)  # let the services get going before they are stopped

    try:
        asyncio.run(lifespan())
    except AssertionError:
        pass  # 3.8.8: a service stopped before its loop started asserts on stop; the start is what is measured
    rec["collections_imported"] = "prefect_dask" in sys.modules
    Path(out).write_text(json.dumps(rec))


def run_measured(args: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the process tree, result) of a subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    res = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--input", default=str(REPO / "sample"))
    p.add_argument("--modes", default="own,prefect", help="comma-separated: own, prefect (see the docstring)")
    p.add_argument("--child", nargs=3, metavar=("INPUT", "WAREHOUSE", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--probes", type=int, default=3, help="server probes per app (0: none)")
    p.add_argument("--probe-server", nargs=2, metavar=("OUT", "FACTORY"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        child(*a.child)
        return 0
    if a.probe_server:
        probe_server(*a.probe_server)
        return 0

    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-startup-"))
    print(f"`newsflow run {a.input}` into a fresh warehouse, {a.runs} runs per mode; wall seconds per phase "
          f"(columns: bench/bench_startup.py docstring); load average at start "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| mode | run | interpreter | imports | no-op check | pipeline import | Prefect start | (warm-up) | "
          "(server up) | (waiting for it) | (flow run created) | flow body | flow end | exit | "
          "**fixed** (all but flow body) | total wall | CPU s (tree) |")
    print("|---|---|" + "---:|" * 15)
    try:
        rows: dict[str, list[str]] = {}
        for i in range(a.runs):  # modes alternate, so that both see the same changes in the machine's load
            for mode in a.modes.split(","):
                home = work / f"prefect-{mode}"
                env = {**os.environ, "PREFECT_HOME": str(home), "NEWSFLOW_PREFECT_SERVER": mode}
                env.pop("PREFECT_API_URL", None)
                wh, out = work / f"wh-{mode}-{i}", work / f"marks-{mode}-{i}.json"
                wall, cpu, res = run_measured([sys.executable, __file__, "--child", a.input, str(wh), str(out)], env)
                end = time.time()
                if res.returncode or not out.exists():
                    rows.setdefault(mode, []).append(f"| {mode} | {i + 1} | failed ({res.returncode}): "
                                                     f"{res.stderr[-400:]!r} |")
                    continue
                m = json.loads(out.read_text())
                phases = {
                    "interpreter": m["cli_imported"] - m["process_start"],
                    "imports": m["noop_start"] - m["cli_imported"],
                    "noop_check": m["noop_checked"] - m["noop_start"],
                    "pipeline_import": m["pipeline_imported"] - m["noop_checked"],
                    "prefect_start": m["body_start"] - m["pipeline_imported"],
                    "warm_up": m.get("warm_up", 0.0),
                    "server_up": m.get("server_healthy", 0) - m.get("server_spawned", 0),
                    "server_wait": m.get("server_wait", 0.0),
                    "flow_run_created": m["body_start"] - m.get("server_healthy", m["body_start"]),
                    "flow_body": m["body_end"] - m["body_start"],
                    "flow_end": m["cli_returned"] - m["body_end"],
                    "exit": end - m["cli_returned"],
                }
                fixed = sum(v for k, v in phases.items() if k not in ("flow_body", "server_up", "server_wait",
                                                                      "warm_up", "flow_run_created"))
                label = "1 (new database)" if i == 0 else str(i + 1)
                rows.setdefault(mode, []).append(
                    f"| {mode} | {label} | " + " | ".join(f"{phases[c]:.2f}" for c in COLUMNS)
                    + f" | **{fixed:.2f}** | {wall:.2f} | {cpu:.2f} |")
                if i == a.runs - 1:
                    rows[mode].append(f"|  | stages of the last run (s) | {m.get('stages')} |")
        for lines in rows.values():
            print("\n".join(lines))
        home = work / "prefect-own" if "own" in a.modes else work / "prefect-prefect"
        env = {**os.environ, "PREFECT_HOME": str(home)}
        probes = {}
        for i in range(a.probes):  # alternating, as the runs above
            for factory in ("prefect", "newsflow"):
                out = work / f"probe-{factory}-{i}.json"
                wall, cpu, res = run_measured([sys.executable, __file__, "--probe-server", str(out), factory], env)
                if not out.exists():
                    print(f"\nserver probe ({factory}) failed: {res.stderr[-600:]}")
                    continue
                probes.setdefault(factory, []).append({**json.loads(out.read_text()), "process": (wall, cpu)})
        if probes:
            print(f"\nthe embedded server's start, in steps (fresh interpreter each, database current), "
                  f"{a.probes} probes per app: wall / CPU s, median (min); load average now "
                  f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
            names = {"prefect": "Prefect's create_app", "newsflow": "newsflow.cli.create_embedded_app"}
            print("| step | " + " | ".join(names[f] for f in probes) + " |\n|---|" + "---:|" * len(probes))
            steps = {"import": "import prefect.server.api.server", "create_app": "create the app",
                     "lifespan": "lifespan start (all below)", "migrations": "(database migrations)",
                     "blocks": "(block registration or its memo check)", "process": "whole probe process"}
            for key, name in steps.items():
                cells = []
                for recs in probes.values():
                    got = [r[key] for r in recs if key in r]
                    if not got:
                        cells.append("skipped")
                        continue
                    med = [statistics.median(x[j] for x in got) for j in (0, 1)]
                    low = [min(x[j] for x in got) for j in (0, 1)]
                    cells.append(f"{med[0]:.2f} / {med[1]:.2f} ({low[0]:.2f} / {low[1]:.2f})")
                print(f"| {name} | " + " | ".join(cells) + " |")
            print("| collections imported (prefect_dask) | "
                  + " | ".join(str(any(r["collections_imported"] for r in recs)) for recs in probes.values()) + " |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
