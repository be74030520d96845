"""Throughput, memory and overhead of the newsflow pipeline against the bare model and a per-document script.

    nice -n 5 .venv/bin/python bench/bench_pipeline.py [--limit N] [--scale S] [--batch-files B]

Over ../shared/corpora/bbc-news-en (or --corpus), measured side by side in one run, each measurement in its own
subprocess so that its peak RSS (whole process tree, sampled from /proc) is its own:

  e2e-1p, e2e-2p   `newsflow run` (the real CLI, in-process, with timers around every Prefect task) over the corpus
                   laid out as batch folders of B files, with `--processes` 1 and 2 (2: whole batches in a pool of
                   two worker processes); per-stage seconds come from the run summary (the stages of a batch run
                   inside one `batch` task, in a worker process with 2)
  bare             `nlp.pipe` over the same cleaned texts with the same components (tasks.nlp.load_nlp), best
                   batch size (chosen on --trial-docs texts), with 1 and 2 processes
  baseline         the script a user would write: read, clean, langdetect, `nlp(text)` per document, rows to a
                   pyarrow table, to Parquet
  e2e-scale        the pipeline with 2 processes over the corpus repeated S times (copy k>0 gets a marker line,
                   so every file is a distinct document): peak RSS at scale S, marginal rate between the sizes
  noop             `newsflow run` again over the processed scaled corpus (nothing new): wall time

Prints a table and writes it with every raw figure to bench/out/ (JSON and Markdown). Corpora and warehouses go
under --work (default /tmp/newsflow-bench). Never a test: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "bbc-news-en" / "bbc"
OUT = REPO / "bench" / "out"
PAGE = os.sysconf("SC_PAGE_SIZE")
STAGES = ("ingest", "decode", "clean", "normalise", "language", "nlp", "entities", "quotes", "batch", "write",
          "refresh_views")
# the stages a `batch` task runs (flows/runs.py `run_stages`); their figures come from the run summary
BATCH_STAGES = ("decode", "clean", "normalise", "language", "nlp", "entities", "quotes")


# -- corpus --------------------------------------------------------------------------------------------------


def corpus_files(corpus: Path, limit: int | None) -> list[Path]:
    """The corpus's .txt files in a fixed order; with `limit`, that many spread evenly over it (all topics)."""
    files = sorted(p for p in corpus.rglob("*.txt") if p.name.upper() != "README.TXT")
    if limit and limit < len(files):
        files = [files[i * len(files) // limit] for i in range(limit)]
    return files


def make_corpus(files: list[Path], scale: int, batch_files: int, dest: Path) -> Path:
    """Lay out `scale` copies of `files` as batch folders of `batch_files` files; copy k > 0 ends with a marker
    line, so its bytes (and document id) differ. Reused if already complete."""
    done = dest / ".complete"
    if done.exists():
        return dest
    i = 0
    for k in range(scale):
        for f in files:
            data = f.read_bytes()
            if k:
                data = data.rstrip() + f"\n\nBench copy {k}.\n".encode()
            out = dest / f"b{i // batch_files:05d}" / f"{f.parent.name}-{f.stem}-{k:02d}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            i += 1
    done.write_text(f"{i} files\n")
    return dest


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.txt"))


# -- memory: the whole process tree, sampled from /proc ---------------------------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids[ppid].append(int(entry.name))
    return kids


def tree_rss(pid: int) -> int:
    """Sum of the resident set sizes of `pid` and all its descendants, in bytes."""
    kids = _children()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo += kids.get(p, [])
    return total


def run_measured(cmd: list[str], env: dict | None = None, interval: float = 0.25) -> tuple[float, int, int, float]:
    """Run `cmd`; returns (wall seconds, peak RSS of its process tree in bytes, exit status, CPU seconds).

    CPU seconds (user + system) cover the process and every descendant it waited for (spaCy's workers, Prefect's
    server): on a shared machine they are steadier than wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(interval)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak, proc.returncode, cpu


# -- worker: the pipeline, through the real CLI, with timers around every Prefect task -----------------------------


def _docs_and_bytes(args: tuple) -> tuple[int, int]:
    """(documents or files, their input bytes) of the first list of Docs or SourceFiles among a task's arguments."""
    for a in args:
        if isinstance(a, list) and a:
            x = a[0]
            if hasattr(x, "content_sha256") and hasattr(x, "source"):
                return len(a), sum(d.source.size for d in a)
            if hasattr(x, "abs_path"):
                return len(a), sum(f.size for f in a)
    return 0, 0


def install_timers(rec: dict) -> None:
    """Time every Prefect task call from outside (engine + body) and its function body (inside)."""
    from prefect.tasks import Task

    stages = rec["stages"]
    original_call = Task.__call__

    def wrap_fn(task) -> None:
        fn = task.fn

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            n, nbytes = _docs_and_bytes(args)
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                end = time.perf_counter()
                s = stages[task.name]
                s["inner"] += end - t
                s["cpu"] += time.process_time() - c
                s["docs"] += n
                s["bytes"] += nbytes
                if task.name == "write":
                    rec["writes"].append((end - rec["t0"], n))

        task.fn = timed
        task._bench_timed = True

    def call(self, *args, **kwargs):
        if not getattr(self, "_bench_timed", False):
            wrap_fn(self)
        t, c = time.perf_counter(), time.process_time()
        try:
            return original_call(self, *args, **kwargs)
        finally:
            s = stages[self.name]
            s["outer"] += time.perf_counter() - t
            s["outer_cpu"] = s.get("outer_cpu", 0.0) + time.process_time() - c
            s["calls"] += 1

    Task.__call__ = call


def worker_e2e(a) -> None:
    """`newsflow run INPUT --warehouse W --processes N`, in this process, timed from inside."""
    t0 = time.perf_counter()
    sys.path.insert(0, str(REPO))
    from newsflow.settings import apply_prefect_defaults

    apply_prefect_defaults()
    zero = {"inner": 0.0, "outer": 0.0, "cpu": 0.0, "calls": 0, "docs": 0, "bytes": 0}
    rec = {"t0": t0, "stages": defaultdict(lambda: dict(zero)), "writes": [], "flow": {}}
    from newsflow import cli  # no Prefect import: the CLI sets PREFECT_API_URL (its embedded server) first

    def around(name, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t = time.perf_counter()
            rec["flow"].setdefault(name + "_enter", t - t0)
            try:
                out = fn(*args, **kwargs)
                if name == "run_batches":
                    rec["summary"] = {k: out.get(k) for k in ("files", "new", "documents", "quotes", "mentions",
                                                               "rejects", "entities", "stages", "mode", "workers")}
                return out
            finally:
                rec["flow"][name + "_exit"] = time.perf_counter() - t0
                rec["flow"][name + "_seconds"] = rec["flow"].get(name + "_seconds", 0.0) + time.perf_counter() - t
        return timed

    real_flow = cli._flow

    def flow(args):
        """cli._flow imports the pipeline (and Prefect) once the CLI has pointed PREFECT_API_URL at its embedded
        server; the timers go in then. Installed before, they imported Prefect first: Prefect then read its
        settings without that URL and started its own ephemeral server beside the CLI's, so runs measured two
        servers' start (bench runs before 22 Nov, 06:20 UTC)."""
        t = time.perf_counter()
        fn = real_flow(args)
        install_timers(rec)
        import flows.pipeline as fp

        for name in ("run_batches", "discover_batches", "publish_artifact"):
            if hasattr(fp, name):
                setattr(fp, name, around(name, getattr(fp, name)))
        rec["pipeline_import"] = time.perf_counter() - t
        return fn

    cli._flow = flow
    rec["imports"] = time.perf_counter() - t0
    argv = ["run", a.input, "--warehouse", a.warehouse, "--processes", str(a.processes[0]), "--quiet"]
    with open(os.devnull, "w") as devnull:
        stdout, sys.stdout = sys.stdout, devnull
        try:
            t = time.perf_counter()
            status = cli.main(argv)
            rec["cli_seconds"] = time.perf_counter() - t
            rec["cli_start"] = t - t0
        finally:
            sys.stdout = stdout
    _stop_forkserver()  # so that the pool workers' CPU (reaped by the forkserver) is counted for this process
    add_batch_stages(rec)
    rec["status"] = status
    rec["total"] = time.perf_counter() - t0
    rec["vm_hwm"] = _vm_hwm()
    del rec["t0"]
    Path(a.result).write_text(json.dumps(rec, default=str))


def _stop_forkserver() -> None:
    """Stop multiprocessing's forkserver and wait for it: unwaited, its CPU (and that of the pool workers it
    reaped) would be missing from the CPU seconds `run_measured` reads. Private API; bench only."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


def add_batch_stages(rec: dict) -> None:
    """Per-stage figures of the batch stages from the run summary (measured where the stage ran: in the flow's
    process, or in a pool worker). Their "inner" is wall seconds summed over batches, "cpu" the CPU seconds of
    the thread that ran them, and their Prefect engine time 0: the engine wraps the `batch` task instead."""
    for name, x in ((rec.get("summary") or {}).get("stages") or {}).items():
        rec["stages"][name] = {"inner": x["seconds"], "outer": x["seconds"], "cpu": x["cpu"], "outer_cpu": x["cpu"],
                               "calls": 0, "docs": int(x["docs"]), "bytes": int(x["bytes"])}


def _vm_hwm() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


# -- worker: the bare model ----------------------------------------------------------------------------------


def cleaned_texts(warehouse: Path, input_root: Path) -> tuple[list[str], list[int]]:
    """The English documents' text from a warehouse the pipeline wrote, and each one's input file size."""
    import duckdb

    rows = duckdb.sql(
        f"select source_path, text from read_parquet('{warehouse}/documents/*.parquet') "
        "where language = 'en' order by source_path"
    ).fetchall()
    return [t for _, t in rows], [(input_root / p).stat().st_size for p, _ in rows]


def worker_bare(a) -> None:
    """`nlp.pipe` over the cleaned texts: batch-size trial, then the full set, with 1 and 2 processes."""
    sys.path.insert(0, str(REPO))
    from tasks.nlp import NlpOptions, load_nlp

    texts, sizes = cleaned_texts(Path(a.warehouse), Path(a.input))
    opts = NlpOptions()
    t = time.perf_counter()
    nlp = load_nlp(opts.model, opts.fallback_model, opts.exclude)
    rec = {"load": time.perf_counter() - t, "components": nlp.pipe_names, "docs": len(texts), "bytes": sum(sizes),
           "trial": {}, "runs": {}}
    for n_process in a.bare_processes:
        trial = texts[: a.trial_docs]
        for bs in a.bare_batch_sizes:
            t = time.perf_counter()
            for _ in nlp.pipe(trial, batch_size=bs, n_process=n_process):
                pass
            rec["trial"][f"{n_process}/{bs}"] = len(trial) / (time.perf_counter() - t)
        best = max(a.bare_batch_sizes, key=lambda b: rec["trial"][f"{n_process}/{b}"])
        stamps = []
        t, c, kids = time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
        for _ in nlp.pipe(texts, batch_size=best, n_process=n_process):
            stamps.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time() - c + (after.ru_utime - kids.ru_utime) + (after.ru_stime - kids.ru_stime)
        rec["runs"][str(n_process)] = {"batch_size": best, "seconds": stamps[-1], "first": stamps[0],
                                       "marginal": _marginal(stamps), "cpu": cpu}
    Path(a.result).write_text(json.dumps(rec))


def _marginal(stamps: list[float]) -> float:
    """Documents per second between the 10 % mark and the end (start-up and warm-up excluded)."""
    i = len(stamps) // 10
    return (len(stamps) - 1 - i) / (stamps[-1] - stamps[i]) if stamps[-1] > stamps[i] else float("nan")


# -- worker: the per-document script a user would otherwise write -------------------------------------------------


def worker_baseline(a) -> None:
    """Read, clean, langdetect, nlp(text), rows, Parquet: one document at a time, the obvious way."""
    t0 = time.perf_counter()
    import hashlib
    import re

    import pyarrow as pa
    import pyarrow.parquet as pq
    import spacy
    from langdetect import DetectorFactory, detect

    sys.path.insert(0, str(REPO))
    from tasks.nlp import NlpOptions

    DetectorFactory.seed = 0
    try:
        nlp = spacy.load(NlpOptions().model)
    except OSError:
        nlp = spacy.load(NlpOptions().fallback_model)
    quote = re.compile(r"[\"“]([^\"“”]+)[\"”]")
    files = sorted(Path(a.input).rglob("*.txt"))
    t_ready = time.perf_counter() - t0
    rows, nbytes = [], 0
    for f in files:
        raw = f.read_bytes()
        nbytes += len(raw)
        text = raw.decode("utf-8", errors="replace")
        text = "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())
        lang = detect(text)
        ents, quotes = [], []
        if lang == "en":
            sdoc = nlp(text)
            ents = [{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char} for e in sdoc.ents]
            quotes = [m.group(1) for m in quote.finditer(text)]
        rows.append({"doc_id": hashlib.sha256(raw).hexdigest()[:16], "path": str(f), "language": lang, "text": text,
                     "entities": ents, "quotes": quotes})
    Path(a.warehouse).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), Path(a.warehouse) / "documents.parquet")
    total = time.perf_counter() - t0
    Path(a.result).write_text(json.dumps({"docs": len(files), "bytes": nbytes, "ready": t_ready, "total": total}))


# -- the orchestrator --------------------------------------------------------------------------------------------


def run_worker(kind: str, result: Path, **kw) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--result", str(result)]
    for k, v in kw.items():
        cmd += [f"--{k.replace('_', '-')}", ",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)]
    if result.exists():
        result.unlink()
    wall, peak, status, cpu = run_measured(cmd)
    if status != 0 or not result.exists():
        raise SystemExit(f"bench: {kind} failed (exit {status}): {' '.join(cmd)}")
    out = json.loads(result.read_text())
    out.update(wall=wall, peak_rss=peak, cpu=cpu)
    print(f"bench:   {kind}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak / 2**20:.0f} MB", flush=True)
    return out


def _fresh(path: Path) -> Path:
    if path.exists():
        subprocess.run(["rm", "-rf", str(path)], check=True)
    return path


def main_run(a) -> dict:
    work = Path(a.work)
    files = corpus_files(Path(a.corpus), a.limit)
    if not files:
        raise SystemExit(f"bench: no .txt articles under {a.corpus} (--corpus)")
    tag = f"n{len(files)}-b{a.batch_files}"
    t = time.perf_counter()
    small = make_corpus(files, 1, a.batch_files, work / f"corpus-{tag}-x1")
    big = make_corpus(files, a.scale, a.batch_files, work / f"corpus-{tag}-x{a.scale}") if a.scale > 1 else None
    res: dict = {"args": vars(a), "corpus": {"files": len(files), "bytes": tree_bytes(small), "prepare": 0.0},
                 "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "runs": {}}
    res["corpus"]["prepare"] = time.perf_counter() - t
    env_note = f"PREFECT_HOME={os.environ.get('PREFECT_HOME', '~/.prefect')}"
    print(f"bench: {len(files)} files, scale {a.scale}, batches of {a.batch_files}; {env_note}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    # A nightly machine has Prefect's database already: one run of a few files first creates it (and runs its
    # migrations), so that the first measured run does not pay for that alone (+8 s on 22 Nov) and 1 and 2
    # processes start alike. Not reported.
    print("bench: warm-up run (Prefect's database) ...", flush=True)
    warm = make_corpus(files[:4], 1, a.batch_files, work / "corpus-warm-up")
    run_worker("e2e", OUT / "warm-up.json", input=warm, warehouse=_fresh(work / "wh-warm-up"), processes=1)
    for rep in range(a.repeat):
        for p in a.processes:
            name = f"e2e-{p}p" + (f"-r{rep}" if rep else "")
            print(f"bench: {name} ...", flush=True)
            wh = _fresh(work / f"wh-{tag}-{p}p")
            res["runs"][name] = run_worker("e2e", OUT / f"{name}.json", input=small, warehouse=wh, processes=p)
    ref_wh = work / f"wh-{tag}-{a.processes[-1]}p"
    if "bare" not in a.skip:
        print("bench: bare nlp.pipe ...", flush=True)
        res["runs"]["bare"] = run_worker("bare", OUT / "bare.json", input=small, warehouse=ref_wh,
                                         bare_processes=a.processes, bare_batch_sizes=a.bare_batch_sizes,
                                         trial_docs=a.trial_docs)
    if "baseline" not in a.skip:
        print("bench: per-document baseline ...", flush=True)
        res["runs"]["baseline"] = run_worker("baseline", OUT / "baseline.json", input=small,
                                             warehouse=_fresh(work / f"wh-{tag}-baseline"))
    if big is not None and "scale" not in a.skip:
        p = a.processes[-1]
        print(f"bench: e2e-scale{a.scale}-{p}p ...", flush=True)
        wh = _fresh(work / f"wh-{tag}-x{a.scale}-{p}p")
        res["runs"]["scale"] = run_worker("e2e", OUT / "scale.json", input=big, warehouse=wh, processes=p)
        res["corpus"]["scale_files"] = a.scale * len(files)
        res["corpus"]["scale_bytes"] = tree_bytes(big)
        print("bench: no-op run ...", flush=True)
        res["runs"]["noop"] = run_worker("e2e", OUT / "noop.json", input=big, warehouse=wh, processes=p)
    return res


# -- the table ------------------------------------------------------------------------------------------------


def _rate(n: float, s: float) -> float:
    return n / s if s > 0 else float("nan")


def summarise(res: dict) -> dict:
    """The headline figures and ratios from the raw runs."""
    runs, c = res["runs"], res["corpus"]
    mb = c["bytes"] / 1e6
    out: dict = {"e2e": {}, "ratios": {}}
    for name, r in runs.items():
        if not name.startswith("e2e-") or "-r" in name:
            continue
        docs = r["stages"].get("decode", {}).get("docs", 0)
        prefect_tasks = sum(s["outer"] - s["inner"] for s in r["stages"].values())
        f = r["flow"]
        body = f.get("run_batches_seconds", 0.0)
        pipeline_import = r.get("pipeline_import", 0.0)  # inside cli.main: an import, not Prefect's start
        flow_start = (f.get("run_batches_enter", 0.0) - r["cli_start"] - f.get("discover_batches_seconds", 0.0)
                      - pipeline_import)
        flow_end = r["cli_start"] + r["cli_seconds"] - f.get("run_batches_exit", 0.0)
        artifact = f.get("publish_artifact_seconds", 0.0)
        w = r["writes"]
        marginal = _rate(sum(n for _, n in w[1:]), w[-1][0] - w[0][0]) if len(w) > 1 else float("nan")
        per_batch = [_rate(n, t - t_prev) for (t_prev, _), (t, n) in zip(w, w[1:])]
        spread = statistics.quantiles(per_batch, n=4) if len(per_batch) >= 2 else [marginal, marginal, marginal]
        out["e2e"][name] = {
            "docs": docs, "wall": r["wall"], "docs_s": _rate(docs, r["wall"]), "mb_s": _rate(mb, r["wall"]),
            "marginal_within": marginal, "batch_rate_quartiles": spread, "cpu": r["cpu"],
            "docs_per_cpu_s": _rate(docs, r["cpu"]), "prefect_start": flow_start, "prefect_end": flow_end,
            "prefect_tasks": prefect_tasks, "artifact": artifact, "body": body,
            "imports": r["imports"] + pipeline_import,
            "prefect_share": (flow_start + flow_end + prefect_tasks + artifact) / r["wall"],
            "prefect_share_run": (prefect_tasks + artifact) / r["wall"], "peak_rss": r["peak_rss"],
            "vm_hwm": r["vm_hwm"],
        }
        st = r["stages"]
        if "nlp" in st and all("cpu" in x for x in st.values()):
            model = st["nlp"]["cpu"]
            # `batch` is the task around the batch stages (its own CPU is theirs, or waiting on the pool)
            other = sum(x["cpu"] for k, x in st.items() if k not in ("nlp", "refresh_views", "batch"))
            # the engine's CPU is measured from the second version of this script on (0 in older results)
            engine = sum(x.get("outer_cpu", x["cpu"]) - x["cpu"] for x in st.values())
            out["e2e"][name].update(mode=(r.get("summary") or {}).get("mode", "stage tasks"),
                                    workers=(r.get("summary") or {}).get("workers", 1),
                                    model_cpu=model, other_cpu=other, engine_cpu=engine,
                                    language_cpu=st.get("language", {}).get("cpu", 0.0),
                                    model_cpu_share=model / (model + other + engine))
    e1, e2 = out["e2e"].get("e2e-1p"), out["e2e"].get("e2e-2p")
    bare = runs.get("bare")
    if e1 and e2:
        out["ratios"]["2p_over_1p"] = e2["docs_s"] / e1["docs_s"]
        out["ratios"]["2p_over_1p_marginal"] = e2["marginal_within"] / e1["marginal_within"]
    sc = runs.get("scale")
    if sc and e2:
        n_big = sc["stages"]["decode"]["docs"]
        marg = _rate(n_big - e2["docs"], sc["wall"] - e2["wall"])
        out["scale"] = {"docs": n_big, "wall": sc["wall"], "docs_s": _rate(n_big, sc["wall"]), "marginal": marg,
                        "fixed": sc["wall"] - n_big / marg, "peak_rss": sc["peak_rss"], "vm_hwm": sc["vm_hwm"]}
        out["ratios"]["rss_scale_over_1"] = sc["peak_rss"] / e2["peak_rss"]
    if bare:
        best = bare["runs"][str(max(int(k) for k in bare["runs"]))]
        out["bare"] = bare
        ref = out.get("scale", {}).get("marginal") or (e2 or {}).get("marginal_within")
        if ref:
            out["ratios"]["e2e_over_bare"] = ref / best["marginal"]
    base = runs.get("baseline")
    if base and e2:
        out["ratios"]["e2e_over_baseline"] = e2["docs_s"] / _rate(base["docs"], base["wall"])
        out["ratios"]["e2e_over_baseline_cpu"] = e2["docs_per_cpu_s"] / _rate(base["docs"], base["cpu"])
    noop = runs.get("noop")
    if noop:
        out["noop"] = {"files": res["corpus"].get("scale_files"), "wall": noop["wall"],
                       "stages": {k: v["outer"] for k, v in noop["stages"].items()}}
    return out


def table(res: dict) -> str:
    s = summarise(res)
    runs, c = res["runs"], res["corpus"]
    mb = c["bytes"] / 1e6
    lines = [f"corpus: {c['files']} files, {mb:.2f} MB (BBC News), batch folders of {res['args']['batch_files']} "
             f"files; started {res['started']}", ""]
    names = [n for n in ("e2e-1p", "e2e-2p") if n in runs]
    head = "| stage | docs |" + "".join(f" {n} s | {n} docs/s | {n} MB/s | {n} Prefect s |" for n in names)
    lines += [head, "|---|---:|" + "---:|---:|---:|---:|" * len(names)]
    found = [st for n in names for st in runs[n]["stages"]]
    for st in list(STAGES) + [x for x in dict.fromkeys(found) if x not in STAGES]:  # stages added since
        if not any(st in runs[n]["stages"] for n in names):
            continue
        cells = []
        docs = runs[names[0]]["stages"].get(st, {}).get("docs", 0)
        for n in names:
            x = runs[n]["stages"].get(st, {"inner": 0, "outer": 0, "docs": 0, "bytes": 0})
            cells.append(f" {x['inner']:.2f} | {_rate(x['docs'], x['inner']):.1f} | "
                         f"{_rate(x['bytes'] / 1e6, x['inner']):.3f} | {x['outer'] - x['inner']:.2f} |")
        lines.append(f"| {st} | {docs} |" + "".join(cells))
    row = "| **end to end** (process wall) | {docs} |" + "".join(
        f" {e['wall']:.1f} | {e['docs_s']:.2f} | {e['mb_s']:.3f} | "
        f"{e['prefect_start'] + e['prefect_end'] + e['prefect_tasks'] + e['artifact']:.2f} |"
        for e in (s["e2e"][n] for n in names))
    lines += [row.format(docs=s["e2e"][names[0]]["docs"]) if names else "", ""]
    lines += ["| figure | value |", "|---|---|"]
    for n in names:
        e = s["e2e"][n]
        q = e["batch_rate_quartiles"]
        lines.append(f"| {n}: marginal rate (batches 2..n, within the run) | {e['marginal_within']:.2f} docs/s "
                     f"(per batch: quartiles {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f}) |")
        lines.append(f"| {n}: CPU time, whole process tree | {e['cpu']:.1f} s ({e['docs_per_cpu_s']:.2f} docs per "
                     "CPU-second) |")
        lines.append(f"| {n}: imports {e['imports']:.1f} s, Prefect start {e['prefect_start']:.1f} s, flow end "
                     f"{e['prefect_end']:.1f} s, task overhead {e['prefect_tasks']:.2f} s, artifact "
                     f"{e['artifact']:.2f} s | Prefect share {100 * e['prefect_share']:.1f} % of wall "
                     f"({100 * e['prefect_share_run']:.1f} % without start/end) |")
        lines.append(f"| {n}: peak RSS, process tree (main process) | {e['peak_rss'] / 2**20:.0f} MB "
                     f"({e['vm_hwm'] / 2**20:.0f} MB) |")
        if e.get("model_cpu"):
            lines.append(f"| {n}: stage CPU ({e.get('mode')}, {e.get('workers')} worker process(es)): model "
                         f"{e['model_cpu']:.1f} s, other stages {e['other_cpu']:.1f} s, Prefect task engine "
                         f"{e['engine_cpu']:.1f} s | model share {100 * e['model_cpu_share']:.0f} % (language alone "
                         f"{e['language_cpu']:.1f} s) |")
    if "bare" in s:
        b = s["bare"]
        for p, r in sorted(b["runs"].items()):
            cpu = f", {_rate(b['docs'], r['cpu']):.2f} docs per CPU-second" if "cpu" in r else ""
            lines.append(f"| bare nlp.pipe {p}p ({', '.join(b['components'])}), best batch {r['batch_size']} | "
                         f"{_rate(b['docs'], r['seconds']):.2f} docs/s overall, {r['marginal']:.2f} docs/s marginal "
                         f"({b['docs']} docs, {_rate(b['bytes'] / 1e6, r['seconds']):.3f} MB/s{cpu}) |")
        trials = ", ".join(f"{k}: {v:.1f}" for k, v in b["trial"].items())
        lines.append(f"| bare batch-size trial (processes/batch: docs/s) | {trials} |")
    if "baseline" in runs:
        r = runs["baseline"]
        lines.append(f"| per-document baseline (1 process) | {_rate(r['docs'], r['wall']):.2f} docs/s, "
                     f"{_rate(r['bytes'] / 1e6, r['wall']):.3f} MB/s, {r['wall']:.1f} s, {r['cpu']:.1f} CPU-s "
                     f"({_rate(r['docs'], r['cpu']):.2f} docs per CPU-second), peak RSS "
                     f"{r['peak_rss'] / 2**20:.0f} MB |")
    if "scale" in s:
        x = s["scale"]
        lines.append(f"| scale x{res['args']['scale']} ({x['docs']} docs), 2p | {x['wall']:.1f} s, {x['docs_s']:.2f} "
                     f"docs/s; marginal (vs scale 1) {x['marginal']:.2f} docs/s; fixed start-up {x['fixed']:.1f} s |")
        lines.append(f"| scale x{res['args']['scale']}: peak RSS, process tree (main process) | "
                     f"{x['peak_rss'] / 2**20:.0f} MB ({x['vm_hwm'] / 2**20:.0f} MB) |")
    if "noop" in s:
        x = s["noop"]
        parts = ", ".join(f"{k} {v:.2f}" for k, v in x["stages"].items())
        lines.append(f"| no-op run over {x['files']} processed files | {x['wall']:.1f} s (tasks, s: {parts}) |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    r = s["ratios"]

    def target(label, value, ok, fmt="{:.2f}"):
        if value is None:
            return
        lines.append(f"| {label} | {fmt.format(value)} | {'yes' if ok(value) else 'no'} |")

    small = "scale" in s and s["scale"]["docs"] - s["e2e"].get("e2e-2p", {}).get("docs", 0) < 1000
    if small:  # a marginal rate over a few hundred documents is start-up noise, not a rate
        lines.append("| end to end (marginal) ≥ 0.85 × bare limit | n/a: under 1,000 documents between the sizes | |")
    else:
        target("end to end (marginal) ≥ 0.85 × bare limit (marginal, best batch, same processes)",
               r.get("e2e_over_bare"), lambda v: v >= 0.85)
    e1 = s["e2e"].get("e2e-1p", {})
    target("(same, as CPU, 1 process: model share of the stages' per-document CPU)",
           e1.get("model_cpu_share"), lambda v: v >= 0.85)
    if "scale" in s and not small:
        target("fixed start-up ≤ 5 s (aim)", s["scale"]["fixed"], lambda v: v <= 5, "{:.1f} s")
    target("end to end ≥ 3 × per-document baseline (wall, 2p vs 1 process)", r.get("e2e_over_baseline"),
           lambda v: v >= 3)
    target("(same, per CPU-second: the work saved, not the cores added)", r.get("e2e_over_baseline_cpu"),
           lambda v: v >= 3)
    target("2 processes ≥ 1.8 × 1 process (process wall)", r.get("2p_over_1p"), lambda v: v >= 1.8)
    target("2 processes ≥ 1.8 × 1 process (marginal)", r.get("2p_over_1p_marginal"), lambda v: v >= 1.8)
    target("peak RSS at scale S ≤ 1.2 × scale 1", r.get("rss_scale_over_1"), lambda v: v <= 1.2)
    if "noop" in s:
        target(f"no-op run over {s['noop']['files']} files ≤ 5 s", s["noop"]["wall"], lambda v: v <= 5, "{:.1f} s")
    for n in names:
        target(f"Prefect share of wall ≤ 5 % ({n})", 100 * s["e2e"][n]["prefect_share"], lambda v: v <= 5,
               "{:.1f} %")
    return "\n".join(lines)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder of .txt articles (default: bbc-news-en)")
    p.add_argument("--limit", type=int, default=0, help="use N articles of the corpus, spread over it (0: all)")
    p.add_argument("--scale", type=int, default=10, help="repeat the corpus S times for the scale and no-op runs")
    p.add_argument("--batch-files", type=int, default=250, help="files per batch folder")
    p.add_argument("--processes", type=_ints, default=[1, 2], help="spaCy processes to compare (default 1,2)")
    p.add_argument("--bare-batch-sizes", type=_ints, default=[4, 8, 16, 32, 64])
    p.add_argument("--trial-docs", type=int, default=200, help="texts for the bare batch-size trial")
    p.add_argument("--repeat", type=int, default=1, help="run the e2e comparison this many times")
    p.add_argument("--skip", default="", help="comma list of: bare, baseline, scale")
    p.add_argument("--work", default="/tmp/newsflow-bench", help="corpora and warehouses go here")
    p.add_argument("--report", help="print the table of an earlier results JSON and exit")
    # internal: one measurement in a subprocess
    p.add_argument("--worker", choices=("e2e", "bare", "baseline"), help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--input", help=argparse.SUPPRESS)
    p.add_argument("--warehouse", help=argparse.SUPPRESS)
    p.add_argument("--bare-processes", type=_ints, default=[1, 2], help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        {"e2e": worker_e2e, "bare": worker_bare, "baseline": worker_baseline}[a.worker](a)
        return 0
    if a.report:
        print(table(json.loads(Path(a.report).read_text())))
        return 0
    a.skip = [x for x in a.skip.split(",") if x]
    res = main_run(a)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}.json").write_text(json.dumps(res, indent=1, default=str))
    text = table(res)
    (OUT / f"table-{stamp}.md").write_text(text + "\n")
    print(text)
    print(f"\nbench: raw figures in {OUT / f'results-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
