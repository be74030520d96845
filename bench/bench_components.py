"""Where the model's time goes: CPU seconds per spaCy component over real articles, one process.

    .venv/bin/python bench/bench_components.py [--limit N] [--batch-size B] [--repeat R] [--all-components]

Runs the tokenizer, then each component of the pipeline tasks/nlp.py loads, over the same texts, one component
at a time (`component.pipe(docs)`), and prints CPU seconds (process time, which other load on the machine
disturbs far less than wall time) and the share of each. The texts are the BBC articles, whole, spread over the
corpus. Used to decide which components are worth excluding (tasks/nlp.py docstring): `--all-components` also
loads the ones `NlpOptions.exclude` leaves out (attribute_ruler, lemmatizer), to see what leaving them out saves.
"""

from __future__ import annotations

import argparse
import sys
import time
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
    a = p.parse_args(argv)
    from tasks.nlp import NlpOptions, load_nlp

    texts = [f.read_bytes().decode("utf-8", errors="replace") for f in corpus_files(Path(a.corpus), a.limit)]
    opts = NlpOptions()
    nlp = load_nlp(opts.model, opts.fallback_model, () if a.all_components else opts.exclude)
    list(nlp.pipe(texts[:4]))  # warm up
    runs: list[dict[str, float]] = []
    for _ in range(a.repeat):
        cpu: dict[str, float] = {}
        c = time.process_time()
        docs = [nlp.make_doc(t) for t in texts]
        cpu["tokenizer"] = time.process_time() - c
        for name, proc in nlp.pipeline:
            c = time.process_time()
            # a plain function component (tasks/nlp.py's paragraph_breaks) has no .pipe
            docs = list(proc.pipe(docs, batch_size=a.batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            cpu[name] = time.process_time() - c
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


if __name__ == "__main__":
    sys.exit(main())
