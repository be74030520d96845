"""Where the model's time goes: CPU seconds per spaCy component over real articles, one process.

    .venv/bin/python bench/bench_components.py [--limit N] [--batch-size B] [--repeat R] [--all-components]

Runs the tokenizer, then each component of the pipeline tasks/nlp.py loads, over the same texts, one component
at a time (`component.pipe(docs)`), and prints CPU seconds (process time, which other load on the machine
disturbs far less than wall time) and the share of each. The texts are the BBC articles, whole, spread over the
corpus. Used to decide which components are worth excluding (tasks/nlp.py docstring): `--all-components` also
loads the ones `NlpOptions.exclude` leaves out (attribute_ruler, lemmatizer), to see what leaving them out saves.

    .venv/bin/python bench/bench_components.py --parse-modes [--limit N] [--repeat R]

compares the two `NlpOptions.parse` modes instead (tasks/nlp.py): the full model over every token against ner over
every token and tok2vec + tagger + parser over the paragraphs quotes read. The texts go through decode, clean and
normalise first (the regions are found from the normalised quote marks). Each mode prints its CPU seconds per
step and end to end (`tasks.nlp.analyse_texts`); the modes alternate every few batches (`CHUNK_BATCHES`), and the
saving is taken from the fastest run of each (other load on the machine only ever adds time), with the median
beside it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_pipeline import DEFAULT_CORPUS, corpus_files  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--all-components", action="store_true",
                   help="load every component of the model, also those NlpOptions.exclude leaves out")
    p.add_argument("--parse-modes", action="store_true",
                   help="CPU of NlpOptions.parse 'full' against 'quotes' over the cleaned texts (module docstring)")
    a = p.parse_args(argv)
    if a.parse_modes:
        return compare_parse_modes(Path(a.corpus), a.limit, a.batch_size, a.repeat)
    from tasks.nlp import NlpOptions, load_nlp

    texts = [f.read_bytes().decode("utf-8", errors="replace") for f in corpus_files(Path(a.corpus), a.limit)]
    opts = NlpOptions()
    nlp = load_nlp(opts.model, opts.fallback_model, () if a.all_components else opts.exclude)
    list(nlp.pipe(texts[:4]))  # warm up
    runs: list[dict[str, float]] = []
    for _ in range(a.repeat):
        cpu: dict[str, float] = {}
        run_components(nlp, texts, cpu, a.batch_size, lambda name: True)
        runs.append(cpu)
    total = [sum(r.values()) for r in runs]
    print(f"{len(texts)} articles, {sum(map(len, texts)) / len(texts):.0f} chars on average, batch {a.batch_size}, "
          f"{a.repeat} runs; components: {', '.join(nlp.pipe_names)}; CPU seconds per run (share of the run)\n")
    print("| component | " + " | ".join(f"run {i + 1}" for i in range(a.repeat)) + " |")
    print("|---|" + "---:|" * a.repeat)
    for name in runs[0]:
        print(f"| {name} | " + " | ".join(f"{r[name]:.2f} ({100 * r[name] / t:.0f} %)" for r, t in zip(runs, total))
              + " |")
    print("| **all** | " + " | ".join(f"{t:.2f} ({len(texts) / t:.1f} docs per CPU-second)" for t in total) + " |")
    return 0


def cleaned_texts(corpus: Path, limit: int) -> list[str]:
    """The English `documents.text` of `corpus_files(corpus, limit)`: decoded, cleaned and normalised."""
    from tasks.boilerplate import clean_docs
    from tasks.decode import decode_docs
    from tasks.ingest import discover_folders, read_source
    from tasks.language import language_docs
    from tasks.normalise import normalise_docs
    from tasks.records import Doc

    wanted = {str(f.resolve()) for f in corpus_files(corpus, limit)}
    files = sorted((f for fs in discover_folders([corpus]).values() for f in fs if str(Path(f.abs_path).resolve())
                    in wanted), key=lambda f: f.source_path)
    docs = [d for d in (read_source(f, None, 20 * 1024 * 1024) for f in files) if isinstance(d, Doc)]
    for stage in (decode_docs, clean_docs, normalise_docs, language_docs):
        docs, _ = stage(docs)
    return [d.text for d in docs if d.language == "en"]


def quotes_mode_steps(nlp, texts: list[str], opts) -> dict[str, float]:
    """CPU seconds per step of `tasks.nlp.analyse_texts` with parse="quotes", step by step (one process)."""
    from tasks.nlp import PARSE_COMPONENTS, merge_parses, region_docs

    cpu: dict[str, float] = {}
    docs = run_components(nlp, texts, cpu, opts.batch_size, lambda name: name not in PARSE_COMPONENTS)
    c = time.process_time()
    where, subs = [], []
    for k, d in enumerate(docs):
        for a, b, lo, sub in region_docs(d, opts.pronoun_window):
            where.append((k, a, b, lo))
            subs.append(sub)
    cpu["regions (find, sub-docs)"] = time.process_time() - c
    subs = run_components(nlp, subs, cpu, opts.batch_size, lambda name: name in PARSE_COMPONENTS, " (regions)")
    c = time.process_time()
    parts: list[list] = [[] for _ in docs]
    for (k, a, b, lo), sub in zip(where, subs, strict=True):
        parts[k].append((a, b, sub, lo))
    for d, ps in zip(docs, parts, strict=True):
        merge_parses(d, ps)
    cpu["merge (sentencizer, from_array)"] = time.process_time() - c
    return cpu


def full_mode_steps(nlp, texts: list[str], opts) -> dict[str, float]:
    """CPU seconds per component of parse="full" (every component over every token)."""
    cpu: dict[str, float] = {}
    run_components(nlp, texts, cpu, opts.batch_size, lambda name: True)
    return cpu


def run_components(nlp, docs: list, cpu: dict[str, float], batch_size: int, keep, suffix: str = "") -> list:
    """Run the tokenizer (when `docs` are texts), then each component of `nlp` whose name `keep` accepts, one at a
    time over all `docs`, recording CPU seconds in `cpu` (names + `suffix`); returns the Docs."""
    if docs and isinstance(docs[0], str):
        c = time.process_time()
        docs = [nlp.make_doc(t) for t in docs]
        cpu["tokenizer"] = time.process_time() - c
    for name, proc in nlp.pipeline:
        if keep(name):
            c = time.process_time()
            # a plain function component (tasks/nlp.py's paragraph_breaks) has no .pipe
            docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            cpu[name + suffix] = time.process_time() - c
    return docs


# the modes alternate every CHUNK_BATCHES batches of articles, so that both see the same load from other processes
# (on a shared machine a whole run of one mode and then the other differed by up to 30 % on the same work: ner,
# identical in both modes, took 17 to 24 CPU seconds over 500 BBC articles from one run to the next)
CHUNK_BATCHES = 2


def compare_parse_modes(corpus: Path, limit: int, batch_size: int, repeat: int) -> int:
    """Print the CPU seconds of NlpOptions.parse "full" and "quotes" over the same cleaned texts."""
    from tasks.nlp import NlpOptions, analyse_texts, load_nlp, parse_regions

    texts = cleaned_texts(corpus, limit)
    opts = NlpOptions(batch_size=batch_size)
    nlp = load_nlp(opts.model, opts.fallback_model, opts.exclude)
    steps = {"full": full_mode_steps, "quotes": quotes_mode_steps}
    for mode in steps:  # warm up
        analyse_texts(nlp, texts[:4], NlpOptions(batch_size=batch_size, parse=mode))
    n_tok = n_reg = 0
    for d in analyse_texts(nlp, texts, NlpOptions(batch_size=batch_size, parse="full")):
        n_tok += len(d)
        n_reg += sum(b - a for a, b in parse_regions(d.text, d, opts.pronoun_window))
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in steps}
    chunk = CHUNK_BATCHES * batch_size
    for r in range(repeat):
        sums: dict[str, dict[str, float]] = {m: defaultdict(float) for m in steps}
        for i in range(0, len(texts), chunk):
            part = texts[i : i + chunk]
            order = ("full", "quotes") if (r + i // chunk) % 2 == 0 else ("quotes", "full")
            for mode in order:
                for k, v in steps[mode](nlp, part, opts).items():
                    sums[mode][k] += v
            for mode in order:
                c = time.process_time()
                analyse_texts(nlp, part, NlpOptions(batch_size=batch_size, parse=mode))
                sums[mode]["= analyse_texts, end to end"] += time.process_time() - c
        for mode in steps:
            runs[mode].append(dict(sums[mode]))
    print(f"{len(texts)} cleaned articles, {sum(map(len, texts)) / len(texts):.0f} chars on average, batch "
          f"{batch_size}, {repeat} runs, the modes alternating every {chunk} articles; {100 * n_reg / n_tok:.1f} % of "
          f"the tokens lie in the regions parse='quotes' parses; CPU seconds per run\n")
    for mode, rs in runs.items():
        print(f"| parse={mode} | " + " | ".join(f"run {i + 1}" for i in range(len(rs))) + " | fastest |")
        print("|---|" + "---:|" * (len(rs) + 1))
        for name in rs[0]:
            if name.startswith("="):
                continue
            print(f"| {name} | " + " | ".join(f"{x[name]:.2f}" for x in rs) + f" | {min(x[name] for x in rs):.2f} |")
        total = [sum(v for k, v in x.items() if not k.startswith("=")) for x in rs]
        print("| **sum of the steps** | " + " | ".join(f"{t:.2f}" for t in total) + f" | {min(total):.2f} |")
        e2e = [x["= analyse_texts, end to end"] for x in rs]
        print("| **analyse_texts, end to end** | " + " | ".join(f"{t:.2f}" for t in e2e) + f" | {min(e2e):.2f} |\n")
    for label, key in (("sum of the steps", None), ("analyse_texts end to end", "= analyse_texts, end to end")):
        def cost(x, key=key):
            return x[key] if key else sum(v for k, v in x.items() if not k.startswith("="))
        full = [cost(x) for x in runs["full"]]
        quotes = [cost(x) for x in runs["quotes"]]
        print(f"parse='quotes' saves {100 * (1 - min(quotes) / min(full)):.1f} % of the model's CPU ({label}, fastest "
              f"runs; medians: {100 * (1 - statistics.median(quotes) / statistics.median(full)):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
