"""The language stage, old rule against new: CPU seconds and agreement of document and paragraph languages.

    .venv/bin/python bench/bench_language.py [--n 200] [--repeat 2] [--examples 8]

Corpus: N BBC articles (English, spread over the five topics), N articles of 10kGNAD (German, one line each: the
dataset lost its paragraph breaks) and the five seeds, cleaned the way the pipeline does (the pure functions of
tasks.decode, tasks.boilerplate and tasks.normalise, one batch per corpus). Then, on fresh copies of the same
cleaned documents, `language_docs` with `LEGACY` options (the rule before issue 7: langdetect on a 2,000-character
document prefix and on every paragraph of >= 40 letters, whole) and with the default options. CPU is process time
(steady under the machine's other load); each rule runs `--repeat` times and the lowest is kept. langdetect's
profiles are loaded before timing.
"""

from __future__ import annotations

import argparse
import copy
import csv
import gzip
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
BBC = SHARED / "corpora" / "bbc-news-en" / "bbc"
GNAD = SHARED / "corpora" / "10kgnad-de" / "test.csv"
SEEDS = SHARED / "seeds"
WEB = SHARED / "corpora" / "trafilatura-eval" / "html"


def _spread(items: list, n: int) -> list:
    return items if n >= len(items) else [items[i * len(items) // n] for i in range(n)]


def raw_corpus(n: int, web: int = 0) -> dict[str, list[tuple[str, bytes]]]:
    """{corpus name: [(file name, bytes)]}: n BBC articles, n 10kGNAD articles, the seeds, `web` pages of
    trafilatura's evaluation set (real HTML, mostly German and English, some with comments in other languages)."""
    bbc = _spread(sorted(p for p in BBC.rglob("*.txt") if p.name.upper() != "README.TXT"), n)
    with GNAD.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";", quotechar="'") if len(r) == 2]
    gnad = _spread(rows, n)
    return {
        "bbc-en": [(f"{p.parent.name}-{p.name}", p.read_bytes()) for p in bbc],
        "10kgnad-de": [(f"gnad-{i:04d}.txt", text.encode()) for i, (_, text) in enumerate(gnad)],
        "seeds": [(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))],
        **({"web-mixed": [(p.name[:-3], gzip.decompress(p.read_bytes()))
                          for p in _spread(sorted(WEB.glob("*.html.gz")), web)]} if web else {}),
    }


def cleaned_docs(n: int, web: int = 0):
    """{corpus name: [Doc]} after decode, clean and normalise, as the pipeline does them (rejects dropped)."""
    from tasks.boilerplate import clean_docs
    from tasks.decode import decode_docs
    from tasks.normalise import normalise_docs
    from tasks.records import Doc, SourceFile

    out = {}
    for name, files in raw_corpus(n, web).items():
        docs = [Doc(SourceFile(name, fn, f"/{name}/{fn}", len(data), 0), hashlib.sha256(data).hexdigest(), data, 0.0)
                for fn, data in files]
        for stage in (decode_docs, clean_docs, normalise_docs):
            docs, _ = stage(docs)
        out[name] = docs
    return out


def run_stage(docs, options, repeat: int):
    """(lowest CPU seconds of `repeat` runs, the documents of the last run) of language_docs on copies of docs."""
    from tasks.language import language_docs

    best, result = float("inf"), None
    for _ in range(repeat):
        fresh = copy.deepcopy(docs)
        c = time.process_time()
        result, rejects = language_docs(fresh, options)
        best = min(best, time.process_time() - c)
        assert not rejects, rejects
    return best, result


def count_langdetect(docs, options) -> int:
    """How many times langdetect runs over docs with `options` (an untimed run with a counting wrapper)."""
    import tasks.language as language

    calls = 0
    real = language.detect_langs

    def counting(text):
        nonlocal calls
        calls += 1
        return real(text)

    language.detect_langs = counting
    try:
        language.language_docs(copy.deepcopy(docs), options)
    finally:
        language.detect_langs = real
    return calls


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200, help="articles of each corpus (default 200)")
    p.add_argument("--web", type=int, default=200, help="pages of trafilatura's evaluation set (default 200, all: 990)")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--examples", type=int, default=12, help="changed paragraphs to print")
    a = p.parse_args(argv)

    from tasks.language import LEGACY, LanguageOptions, detect_language

    corpora = {k: v for k, v in cleaned_docs(a.n, a.web).items() if v}
    detect_language("warm up the profiles")  # langdetect loads its 55 profiles on the first call (~0.25 s)
    new_options = LanguageOptions()
    print(f"old: {LEGACY}\nnew: {new_options}\n")
    print("| corpus | docs | paragraphs (≥ 40 letters) | langdetect calls old / new | CPU s old / new | "
          "ms per doc old / new | doc language same | doc prob same | paragraph language same | kept same |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    examples, doc_changes = [], []
    t = Counter()
    for name, docs in corpora.items():
        t_old, old = run_stage(docs, LEGACY, a.repeat)
        t_new, new = run_stage(docs, new_options, a.repeat)
        calls_old, calls_new = count_langdetect(docs, LEGACY), count_langdetect(docs, new_options)
        c = Counter(docs=len(docs), t_old=t_old, t_new=t_new, calls_old=calls_old, calls_new=calls_new)
        for o, n in zip(old, new):
            c["same_lang"] += o.language == n.language
            c["same_prob"] += o.language_prob == n.language_prob
            if (o.language, o.language_prob) != (n.language, n.language_prob):
                doc_changes.append((name, o.source.source_path, o.language, o.language_prob, n.language,
                                    n.language_prob))
            for po, pn in zip(o.paragraphs, n.paragraphs):
                c["paras"] += 1
                c["judged"] += po.language != "und" or pn.language != "und"
                c["same_para"] += po.language == pn.language
                c["same_kept"] += (po.kept, po.reason) == (pn.kept, pn.reason)
                if (po.language, po.kept) != (pn.language, pn.kept):
                    examples.append((name, o.source.source_path, po.idx, po.language, pn.language,
                                     "" if po.kept == pn.kept else f" kept {po.kept} -> {pn.kept}", po.text))
        t.update(c)
        _row(name, c)
    _row("**all**", t)
    print(f"\nnew / old CPU: {t['t_new'] / t['t_old']:.2f}; langdetect calls new / old: "
          f"{t['calls_new'] / t['calls_old']:.2f}")
    print(f"\ndocuments whose language or probability changed: {len(doc_changes)}")
    for name, path, lo, po, ln, pn in doc_changes:
        print(f"- {name} {path}: {lo} {po} -> {ln} {pn}")
    print(f"\nparagraphs whose language (or kept) changed: {len(examples)}"
          + (f" (the first {a.examples})" if len(examples) > a.examples else ""))
    for name, path, idx, lo, ln, kept, text in examples[: a.examples]:
        print(f"- {name} {path} ¶{idx}: {lo} -> {ln}{kept}: {text[:100]!r}")
    return 0


def _row(name: str, c: Counter) -> None:
    d = c["docs"]
    print(f"| {name} | {d} | {c['judged']} | {c['calls_old']} / {c['calls_new']} | {c['t_old']:.2f} / "
          f"{c['t_new']:.2f} | {1000 * c['t_old'] / d:.1f} / {1000 * c['t_new'] / d:.1f} | {c['same_lang']}/{d} | "
          f"{c['same_prob']}/{d} | {c['same_para']}/{c['paras']} | {c['same_kept']}/{c['paras']} |")


if __name__ == "__main__":
    sys.exit(main())
