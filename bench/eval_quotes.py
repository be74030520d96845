"""Quote finding and attribution figures on the gold sets, with quote_eval.py's own definitions.

    .venv/bin/python bench/eval_quotes.py seeds polnear-dev [polnear-train] [--limit N] [--skip N] [--errors]
        [--in-repo]

Runs the pure stage functions (decode → clean → normalise → language → spaCy → entities → quotes) without
Prefect or a warehouse, and caches the spaCy Docs (DocBin, keyed by the text's hash) under
$NEWSFLOW_BENCH_CACHE (default /tmp/newsflow-bench-cache), so that changing tasks/quotes.py costs seconds,
not minutes. Scoring imports `load` and `score` from ../shared/eval/quote_eval.py when it is there, so the
figures are the official ones; `--errors` prints every miss, false positive and wrong speaker.

Without ../shared (a clean clone), the seeds are scored in-repo: the gold rows of tests/gold/seed_quotes.jsonl
over the texts in sample/2025-03-20, with `score`/`covers`/`words` below, a copy of quote_eval.py's definitions
(tests/test_quotes_quality.py checks that both give the same line on the same predictions). `--in-repo` uses
them even when ../shared is there. The PolNeAR splits need ../shared.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import sys
import time
import types
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", REPO.parent / "shared"))
CACHE = Path(os.environ.get("NEWSFLOW_BENCH_CACHE", "/tmp/newsflow-bench-cache"))
SEED_GOLD = REPO / "tests" / "gold" / "seed_quotes.jsonl"
SEED_TEXTS = REPO / "sample" / "2025-03-20"


def load_eval(in_repo: bool = False):
    """The official scoring module (../shared/eval/quote_eval.py), or this module's copy of its definitions
    when ../shared is absent or `in_repo` is asked for (both have QUOTED, STOP, words, covers, load, score)."""
    official = SHARED / "eval" / "quote_eval.py"
    if in_repo or not official.exists():
        return types.SimpleNamespace(QUOTED=QUOTED, STOP=STOP, words=words, covers=covers, load=load, score=score)
    spec = importlib.util.spec_from_file_location("quote_eval", official)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- in-repo scoring: the definitions of ../shared/eval/quote_eval.py, for a clone without ../shared ----------------

WORD = re.compile(r"\w+", re.UNICODE)
QUOTED = re.compile(r"[“\"„«»‹›”]([^“\"„«»‹›”]{2,}?)[”\"“»«‹›]")
STOP = {"the", "a", "an", "of", "mr", "ms", "mrs", "dr", "president", "he", "she", "they", "it", "his", "her"}


def words(s: str | None) -> list[str]:
    """Lower-cased word tokens."""
    return [w.lower() for w in WORD.findall(s or "")]


def covers(a: str, b: str) -> bool:
    """Whether two quotes match: each covers at least half of the other's distinct word tokens."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    inter = len(wa & wb)
    return inter / len(wa) >= 0.5 and inter / len(wb) >= 0.5


def load(which: str):
    """(text folder, gold: file stem -> [(quote, speaker)]) of the seeds, from the repository."""
    if which != "seeds":
        raise SystemExit(f"{which}: needs ../shared (set NEWSFLOW_SHARED); only the seeds are in the repository")
    gold: dict[str, list] = defaultdict(list)
    for line in SEED_GOLD.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        gold[Path(r["file"]).stem].append((r["quote"], r["speaker"]))
    return SEED_TEXTS, gold


def score(which: str, gold, pred) -> str:
    """quote_eval.score's line: quote P/R/F1, speaker accuracy and who-said-what F1.

    A gold quote matches the first unused prediction of its document that it `covers`; a gold quote with no
    speaker is optional; the speaker is right when the predicted name or mention shares a word (outside STOP,
    unless that leaves none) with the gold speaker; who-said-what counts a prediction when both are right."""
    tp = fp = fn = 0
    spk_ok = spk_n = 0
    for stem in set(gold) | set(pred):
        g, p = gold.get(stem, []), pred.get(stem, [])
        used = set()
        for gq, gsrc in g:
            hit = next((i for i, (pq, _, _) in enumerate(p) if i not in used and covers(gq, pq)), None)
            if hit is None:
                fn += 1 if gsrc else 0
                continue
            used.add(hit)
            if not gsrc:
                continue
            tp += 1
            spk_n += 1
            _, name, mention = p[hit]
            gw = set(words(gsrc)) - STOP or set(words(gsrc))
            if gw & (set(words(name)) | set(words(mention))):
                spk_ok += 1
        fp += len(p) - len(used)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    acc = spk_ok / spk_n if spk_n else 0.0
    wp = spk_ok / (tp + fp) if tp + fp else 0.0
    wr = spk_ok / (tp + fn) if tp + fn else 0.0
    wf = 2 * wp * wr / (wp + wr) if wp + wr else 0.0
    return (f"{which}: gold={tp + fn} predicted={tp + fp} P={prec:.3f} R={rec:.3f} F1={f1:.3f} "
            f"speaker_acc={acc:.3f} ({spk_ok}/{spk_n}) who_said_what_F1={wf:.3f}")


# -- running the stages ------------------------------------------------------------------------------------------


def prepare(folder: Path, limit: int | None = None, keep_all: bool = False, skip: int = 0):
    """Documents of a folder through decode, clean, normalise and language (no spaCy yet).

    `skip` and `limit` select files by position in path order (a held-out slice: `skip=300` is everything after
    the first 300); `keep_all` keeps every paragraph the cleaner would drop: the quote stage measured on its own."""
    from tasks.boilerplate import clean_docs
    from tasks.decode import decode_docs
    from tasks.ingest import discover_folders, read_source
    from tasks.language import language_docs
    from tasks.normalise import normalise_docs
    from tasks.records import Doc

    files = sorted((f for fs in discover_folders([folder]).values() for f in fs), key=lambda f: f.source_path)
    files = files[skip:]
    files = files[:limit] if limit else files
    docs = [d for d in (read_source(f, None, 20 * 1024 * 1024) for f in files) if isinstance(d, Doc)]
    for stage in (decode_docs, clean_docs, normalise_docs, language_docs):
        if stage is normalise_docs and keep_all:
            for d in docs:
                for p in d.paragraphs:
                    p.kept, p.reason = True, None
        docs, _ = stage(docs)
    return docs


def analyse_cached(docs, name: str) -> None:
    """Attach spaCy analyses, reusing the cached ones (DocBin) and saving new ones."""
    from spacy.tokens import DocBin

    from tasks.nlp import NlpOptions, analyse, load_nlp

    opts = NlpOptions()
    nlp = load_nlp(opts.model, opts.fallback_model, opts.exclude)
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.spacy"
    cached = {}
    if path.exists():
        for sdoc in DocBin().from_disk(path).get_docs(nlp.vocab):
            cached[hashlib.sha1(sdoc.text.encode()).hexdigest()] = sdoc
    todo = []
    for d in docs:
        if d.language not in opts.languages:
            continue
        hit = cached.get(hashlib.sha1(d.text.encode()).hexdigest())
        if hit is not None:
            d.analysis = hit
        else:
            todo.append(d)
    if todo:
        analyse(todo, opts)
        bin_ = DocBin(store_user_data=False)
        for sdoc in cached.values():
            bin_.add(sdoc)
        for d in todo:
            if d.analysis is not None:
                bin_.add(d.analysis)
        bin_.to_disk(path)


def load_gold(ev, which: str):
    """(text folder, gold) via quote_eval.load; for a PolNeAR split whose .ann files quote_eval cannot read
    (train has a line without tabs), the same definition with unreadable lines skipped."""
    try:
        return ev.load(which)
    except ValueError:
        pass
    base = SHARED / "corpora" / "polnear" / "data" / which.split("-")[1]
    gold: dict[str, list] = defaultdict(list)
    seen = set()
    for ann in sorted((base / "attributions").glob("*.ann")):
        stem = ann.stem.rsplit("_", 1)[0]
        if stem in seen:
            continue
        seen.add(stem)
        spans, rels = {}, []
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t", 2)
            if line.startswith("T") and len(parts) == 3:
                spans[parts[0]] = (parts[1].split(" ", 1)[0], parts[2])
            elif line.startswith("E") and len(parts) >= 2:
                rels.append(dict(p.split(":") for p in parts[1].split()[1:] if ":" in p))
        for r in rels:
            content = spans.get(r.get("Content"), ("", ""))[1]
            source = spans.get(r.get("Source"), ("", ""))[1] if r.get("Source") else None
            for m in ev.QUOTED.finditer(content):
                if len(ev.words(m.group(1))) >= 1:
                    gold[stem].append((m.group(1), source))
    return base / "text", gold


def predict(docs) -> dict[str, list[tuple[str, str, str]]]:
    """quote_eval's prediction rows from the pure functions: quotes with a speaker or a speaker mention."""
    from tasks.entities import extract_entities
    from tasks.quotes import quote_docs

    docs, _ = extract_entities(docs)
    docs, _ = quote_docs(docs)
    pred: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for d in docs:
        stem = Path(d.source.source_path).name.split(".")[0]
        for q in d.quotes:
            if q.speaker is not None or q.speaker_mention is not None:
                pred[stem].append((q.text, q.speaker or "", q.speaker_mention or ""))
    return pred


def errors(ev, gold, pred) -> None:
    """Print misses, false positives and wrong speakers (the same matching as quote_eval.score)."""
    for stem in sorted(set(gold) | set(pred)):
        g, p = gold.get(stem, []), pred.get(stem, [])
        used = set()
        for gq, gsrc in g:
            hit = next((i for i, (pq, _, _) in enumerate(p) if i not in used and ev.covers(gq, pq)), None)
            if hit is None:
                if gsrc:
                    print(f"MISS  {stem[:40]} | {gsrc!r} | {gq[:100]!r}")
                continue
            used.add(hit)
            if not gsrc:
                continue
            _, name, mention = p[hit]
            gw = set(ev.words(gsrc)) - ev.STOP or set(ev.words(gsrc))
            if not gw & (set(ev.words(name)) | set(ev.words(mention))):
                print(f"SPKR  {stem[:40]} | gold {gsrc!r} got {name!r}/{mention!r} | {gq[:80]!r}")
        for i, (pq, name, mention) in enumerate(p):
            if i not in used:
                print(f"FP    {stem[:40]} | {name!r}/{mention!r} | {pq[:100]!r}")


def evaluate(which: str, limit: int | None = None, show_errors: bool = False, keep_all: bool = False,
             in_repo: bool = False, skip: int = 0) -> str:
    """Run one gold set end to end through the pure functions; returns quote_eval's figure line."""
    ev = load_eval(in_repo)
    folder, gold = load_gold(ev, which)
    t0 = time.perf_counter()
    docs = prepare(Path(folder), limit, keep_all, skip)
    if limit or skip:
        stems = {Path(d.source.source_path).name.split(".")[0] for d in docs}
        gold = {k: v for k, v in gold.items() if k in stems}
    analyse_cached(docs, f"{which}-{f'{skip}+' if skip else ''}{limit or 'all'}{'-keep' if keep_all else ''}")
    pred = predict(docs)
    if show_errors:
        errors(ev, gold, pred)
    return f"{ev.score(which, gold, pred)}  [{len(docs)} docs, {time.perf_counter() - t0:.1f}s]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("which", nargs="+", help="seeds, polnear-dev, polnear-train")
    ap.add_argument("--limit", type=int, help="only the first N documents (sorted by path)")
    ap.add_argument("--skip", type=int, default=0,
                    help="leave out the first N documents (sorted by path): --skip 300 is held out from --limit 300")
    ap.add_argument("--errors", action="store_true", help="print each error")
    ap.add_argument("--keep-all-paragraphs", action="store_true",
                    help="keep the paragraphs the cleaner drops (the quote stage on its own)")
    ap.add_argument("--in-repo", action="store_true",
                    help="score the seeds with the repository's gold and scorer even when ../shared is there")
    args = ap.parse_args()
    for which in args.which:
        print(evaluate(which, args.limit, args.errors, args.keep_all_paragraphs, args.in_repo, args.skip))


if __name__ == "__main__":
    main()
