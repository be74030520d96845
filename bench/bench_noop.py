"""The nightly no-op: `newsflow run` over a corpus whose every file is already processed, at ≥ N files.

    .venv/bin/python bench/bench_noop.py CORPUS WAREHOUSE [--files 20000] [--server]

CORPUS and WAREHOUSE are a scaled corpus and the warehouse bench_pipeline.py processed it into (e.g.
/tmp/newsflow-bench/corpus-n500-b125-x10 and wh-n500-b125-x10-2p). Processing 20,000 files through the model
takes hours on this machine, so to reach `--files` the processed batches are replicated: each batch folder is
copied (`cp -p`, same bytes and mtimes) under a new name, and its Parquet files are copied with `batch` and
`source_path` rewritten to the new name, so the ledger vouches for every copied file exactly as a real run's
would. Then the no-op runs through the real CLI (timed as in bench_pipeline.py), and with `--server` a second
time against a local `prefect server` started for the purpose (stopped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_pipeline import OUT, run_worker  # noqa: E402

TABLES = ("documents", "paragraphs", "mentions", "quotes", "rejects", "files")


def _rename(table: pa.Table, old: str, new: str) -> pa.Table:
    for col in ("batch", "source_path"):
        if col in table.column_names:
            i = table.column_names.index(col)
            replaced = pc.replace_substring_regex(table[col], f"^{old}", new)
            table = table.set_column(i, col, replaced)
    return table


def replicate(corpus: Path, warehouse: Path, files: int, dest: Path) -> tuple[Path, Path, int]:
    """A corpus and warehouse of ≥ `files` processed files made of renamed copies of the given ones."""
    src_batches = sorted(p for p in corpus.iterdir() if p.is_dir())
    per_copy = sum(1 for b in src_batches for _ in b.glob("*.txt"))
    copies = max(1, -(-files // per_copy))
    out_corpus, out_wh = dest / "corpus", dest / "warehouse"
    done = dest / f".complete-{copies}"
    if done.exists():
        return out_corpus, out_wh, copies * per_copy
    shutil.rmtree(dest, ignore_errors=True)
    out_corpus.mkdir(parents=True)
    for k in range(copies):
        for b in src_batches:
            name = f"c{k:02d}-{b.name}"
            subprocess.run(["cp", "-rp", str(b), str(out_corpus / name)], check=True)
            for table in TABLES:
                path = warehouse / table / f"{b.name}.parquet"
                if path.exists():
                    (out_wh / table).mkdir(parents=True, exist_ok=True)
                    pq.write_table(_rename(pq.read_table(path), b.name, name), out_wh / table / f"{name}.parquet",
                                   compression="zstd")
    for extra in ("entities", "runs"):
        if (warehouse / extra).exists():
            shutil.copytree(warehouse / extra, out_wh / extra)
    done.write_text("")
    return out_corpus, out_wh, copies * per_copy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_server(fn):
    """Run fn(api_url) while a local Prefect server (own process, private PREFECT_HOME) is up."""
    port = _free_port()
    log = open(OUT / "prefect-server.log", "w")
    server = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
                               "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api"
    try:
        t = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(f"{api}/health", timeout=2)
                break
            except OSError:
                if time.perf_counter() - t > 180 or server.poll() is not None:
                    raise SystemExit("bench: prefect server did not come up (bench/out/prefect-server.log)") from None
                time.sleep(0.5)
        return fn(api), time.perf_counter() - t
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def describe(name: str, r: dict) -> str:
    st = ", ".join(f"{k} {v['outer']:.2f}" for k, v in r["stages"].items())
    f = r["flow"]
    start = f.get("run_batches_enter", 0.0) - r["cli_start"] - f.get("discover_batches_seconds", 0.0)
    return (f"| {name} | {r['wall']:.1f} s | imports {r['imports']:.1f} s; Prefect start {start:.1f} s; discover "
            f"{f.get('discover_batches_seconds', 0.0):.2f} s; flow body {f.get('run_batches_seconds', 0.0):.2f} s "
            f"(tasks: {st}); peak RSS {r['peak_rss'] / 2**20:.0f} MB |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("warehouse", type=Path)
    p.add_argument("--files", type=int, default=20000)
    p.add_argument("--server", action="store_true", help="also time it against a running local Prefect server")
    p.add_argument("--work", type=Path, default=Path("/tmp/newsflow-bench/noop"))
    a = p.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    corpus, wh, n = replicate(a.corpus, a.warehouse, a.files, a.work)
    print(f"bench: {n} processed files ready in {time.perf_counter() - t:.0f} s", flush=True)
    rows, res = [], {"files": n}
    # the first no-op also re-points the views at the copied warehouse; time the second
    for i in range(2):
        res[f"embedded-{i}"] = run_worker("e2e", OUT / f"noop-{i}.json", input=corpus, warehouse=wh, processes=1)
    rows.append(describe("embedded server (default), 1st", res["embedded-0"]))
    rows.append(describe("embedded server (default), 2nd", res["embedded-1"]))
    if a.server:
        def go(api):
            env_before = os.environ.get("PREFECT_API_URL")
            os.environ["PREFECT_API_URL"] = api
            try:
                return run_worker("e2e", OUT / "noop-server.json", input=corpus, warehouse=wh, processes=1)
            finally:
                if env_before is None:
                    os.environ.pop("PREFECT_API_URL")
                else:
                    os.environ["PREFECT_API_URL"] = env_before

        res["server"], res["server_start"] = with_server(go)
        rows.append(describe(f"running `prefect server` (itself up in {res['server_start']:.0f} s)", res["server"]))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"noop-{stamp}.json").write_text(json.dumps(res, indent=1, default=str))
    print(f"\nno-op `newsflow run` over {n} processed files\n\n| Prefect | wall | breakdown |\n|---|---:|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
