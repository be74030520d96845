"""Extraction quality: newsflow's decode → clean → normalise → language beside the libraries alone.

    .venv/bin/python bench/eval_extraction.py                 # every corpus, every page
    .venv/bin/python bench/eval_extraction.py --every 10      # every 10th page (what the floor test runs)
    .venv/bin/python bench/eval_extraction.py --only textdumps --modes
    .venv/bin/python bench/eval_extraction.py --quote-survival          # polnear gold quotes the cleaner keeps
    .venv/bin/python bench/eval_extraction.py --ceilings                # what any system built this way can reach

Runs the stages' batch-level pure functions directly over the pages (no Prefect, no warehouse, no spaCy), one
batch per corpus as `newsflow run` over the corpus folder would, and scores `documents.text` with the scoring
functions of ../shared/eval/extraction_eval.py itself (imported, not copied), so the figures are the ones the
official script gives for a warehouse. `--modes` adds a row per trafilatura option set for the HTML corpora.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import gzip
import html
import importlib.util
import json
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tasks.boilerplate import HtmlOptions, clean_docs  # noqa: E402
from tasks.decode import decode_bytes, decode_docs  # noqa: E402
from tasks.language import language_docs  # noqa: E402
from tasks.normalise import normalise_docs  # noqa: E402
from tasks.records import Doc, SourceFile  # noqa: E402

SHARED = Path(os.environ.get("NEWSFLOW_SHARED", REPO.parent / "shared"))
CORPORA = SHARED / "corpora"
HTML_CORPORA = ("trafeval", "cleanportal")
ALL_CORPORA = ("trafeval", "cleanportal", "textdumps")

# trafilatura option sets compared by --modes (HtmlOptions fields)
MODES = {
    "default": {},
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "include_tables": {"include_tables": True},
}


def load_official():
    """The official scoring script as a module (../shared/eval/extraction_eval.py)."""
    path = SHARED / "eval" / "extraction_eval.py"
    spec = importlib.util.spec_from_file_location("extraction_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(official, name: str, every: int = 1, half: str | None = None) -> dict:
    """{page stem: (path, gold)} of a corpus, every `every`-th page in name order; `half` "even" or "odd" first
    keeps only the pages at even or odd indexes in name order (tune on one half, check on the other)."""
    pages = official.load(name)
    keys = sorted(pages)
    if half is not None:
        keys = keys[{"even": 0, "odd": 1}[half]::2]
    return {k: pages[k] for k in keys[::every]}


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _run_docs(pages: dict, batch: str, options: HtmlOptions = HtmlOptions(),
              rejects: dict[str, int] | None = None) -> list[Doc]:
    """The documents left after decode → clean → normalise → language over the pages as one batch; rejects are
    counted by reason into `rejects`."""
    docs = []
    for path, _ in pages.values():
        data = _read(path)
        name = path.name.removesuffix(".gz")
        sf = SourceFile(batch, f"{batch}/{name}", str(path), len(data), 0)
        docs.append(Doc(source=sf, content_sha256=f"{len(docs):064x}", data=data, ingested_at=0.0))
    rejects = {} if rejects is None else rejects
    for stage in (decode_docs, lambda d: clean_docs(d, options), normalise_docs, language_docs):
        docs, more = stage(docs)
        for r in more:
            rejects[r.reason] = rejects.get(r.reason, 0) + 1
    return docs


def run_newsflow(pages: dict, batch: str, options: HtmlOptions = HtmlOptions()) -> tuple[dict[str, str], dict]:
    """documents.text per page stem after decode → clean → normalise → language, over the pages as one batch.

    Returns (texts, rejects by reason). A rejected page scores as empty text, as it would in a warehouse.
    """
    rejects: dict[str, int] = {}
    docs = _run_docs(pages, batch, options, rejects)
    by_path = {d.source.abs_path: d.text for d in docs}
    return {k: by_path.get(str(path), "") for k, (path, _) in pages.items()}, rejects


def score(official, name: str, pages: dict, pred: dict[str, str]) -> tuple[float, float, float]:
    """(precision, recall, F1) exactly as ../shared/eval/extraction_eval.py computes them."""
    if name == "trafeval":
        tp = fn = fp = 0
        for k, (_, g) in pages.items():
            text = pred.get(k, "")
            tp += sum(s in text for s in g.get("with", []))
            fn += sum(s not in text for s in g.get("with", []))
            fp += sum(s in text for s in g.get("without", []))
        prec, rec = tp / (tp + fp), tp / (tp + fn)
    else:
        prec, rec = official.shingle_prf([(g, pred.get(k, "")) for k, (_, g) in pages.items()])
    return prec, rec, 2 * prec * rec / (prec + rec)


# Every double quote mark to ", every single one (and the apostrophe) to ': for the informative "quotes folded"
# row. newsflow writes “…” ‘…’ ’ by convention (README, Text conventions), while the trafilatura-eval snippets
# keep the page's „…“ "…" «…» and ', so a snippet with a quote mark in it can never match newsflow's text.
_FOLD = str.maketrans({**dict.fromkeys("„“”«»\"", '"'), **dict.fromkeys("‚‘’‹›'", "'")})


def fold_quotes(pages: dict, pred: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Pages and predictions with quote marks folded (trafeval snippets only; shingles ignore punctuation)."""
    folded = {k: (p, {**g, "with": [s.translate(_FOLD) for s in g.get("with", [])],
                      "without": [s.translate(_FOLD) for s in g.get("without", [])]}) for k, (p, g) in pages.items()}
    return folded, {k: v.translate(_FOLD) for k, v in pred.items()}


def unescape_gold(pages: dict) -> dict:
    """Pages with HTML entities in the gold text decoded (informative row). 57 of the 71 CleanEval gold files keep
    entities as written in the page (`we&#8217;re`), so the gold's shingles hold a word `8217` no extractor writes:
    every apostrophe or quote mark costs both newsflow and trafilatura alone a few shingles."""
    return {k: (path, html.unescape(g)) for k, (path, g) in pages.items()}


def keep_everything(pages: dict) -> dict[str, str]:
    """The plain-text baseline: the whole file as the article."""
    return {k: _read(p).decode("utf-8", "replace") for k, (p, _) in pages.items()}


def eval_extraction(names=ALL_CORPORA, every: int = 1, modes: bool = False, baselines: bool = True,
                    half: str | None = None) -> list[dict]:
    """One row per (corpus, system): pages, empty, P, R, F1, seconds."""
    official = load_official()
    rows = []
    for name in names:
        pages = load_pages(official, name, every, half)
        systems = []
        if baselines:
            systems.append(("trafilatura alone", lambda p=pages: official.trafilatura_alone(p)))
            if name == "textdumps":
                systems.append(("keep everything", lambda p=pages: keep_everything(p)))
        option_sets = MODES if (modes and name in HTML_CORPORA) else {"": {}}
        for label, fields in option_sets.items():
            opts = replace(HtmlOptions(), **fields)
            systems.append((f"newsflow {label}".strip(), lambda p=pages, o=opts, n=name: run_newsflow(p, n, o)[0]))
        for system, fn in systems:
            t0 = time.perf_counter()
            pred = fn()
            secs = time.perf_counter() - t0
            p, r, f = score(official, name, pages, pred)
            rows.append({"corpus": name, "system": system, "pages": len(pages),
                         "empty": sum(1 for k in pages if not pred.get(k)), "P": p, "R": r, "F1": f,
                         "seconds": secs})
            if name == "trafeval":
                p, r, f = score(official, name, *fold_quotes(pages, pred))
                rows.append({**rows[-1], "system": f"{system}, quotes folded", "P": p, "R": r, "F1": f})
            elif any("&#" in g for _, g in pages.values()):
                p, r, f = score(official, name, unescape_gold(pages), pred)
                rows.append({**rows[-1], "system": f"{system}, gold unescaped", "P": p, "R": r, "F1": f})
    return rows


# -- what the targets leave room for ---------------------------------------------------------------------------


def ceilings(every: int = 1, target: float = 0.94) -> dict:
    """Upper bounds the corpora set, whatever the cleaner does.

    trafeval: 'with' snippets present in trafilatura's text in any of its modes (defaults, favor_recall,
    favor_precision; tables on), before and after newsflow's normalisation (`normalise_text`: quote marks to the
    README's convention), so the recall no cleaner over trafilatura can pass; the F1 of that recall at precision
    1.0, and the precision it would need for F1 = `target`. cleanportal and textdumps: the official scores of a
    perfect extractor that writes the characters the gold's HTML entities stand for (`unescape_gold`).
    """
    import trafilatura

    from tasks.normalise import normalise_text

    official = load_official()
    out = {}
    pages = load_pages(official, "trafeval", every)
    n = raw = norm = 0
    for path, gold in pages.values():
        page = _read(path)
        text = "\n".join(trafilatura.extract(page, include_tables=True, deduplicate=False, **o) or ""
                         for o in ({}, {"favor_recall": True}, {"favor_precision": True}))
        snippets = gold.get("with", [])
        folded = normalise_text(text)
        n += len(snippets)
        raw += sum(s in text for s in snippets)
        norm += sum(s in folded for s in snippets)
    r = norm / n
    out["trafeval"] = {"pages": len(pages), "with": n, "in_any_mode": raw, "after_normalisation": norm,
                       "recall_ceiling": r, "f1_at_precision_1": 2 * r / (1 + r),
                       "precision_needed": target * r / (2 * r - target) if 2 * r > target else None}
    for name in ("cleanportal", "textdumps"):
        pages = load_pages(official, name, every)
        perfect = {k: g for k, (_, g) in unescape_gold(pages).items()}
        p, r, f = score(official, name, pages, perfect)
        out[name] = {"pages": len(pages), "P": p, "R": r, "F1": f}
    return out


# -- where newsflow loses against trafilatura alone ------------------------------------------------------------


def losses(every: int = 1, show: int = 0, half: str | None = None) -> dict:
    """trafilatura-eval snippets newsflow gets wrong, by cause, split by whether trafilatura alone gets them right.

    Missed 'with' snippets: `quote marks` when the snippet is found once quote marks are folded (the text
    convention), the removal reason of the newsflow paragraph holding it, `not extracted` when no paragraph has it
    (newsflow's trafilatura options differ from `extract()`'s), `rejected` for a page newsflow rejected. Leaked
    'without' snippets: the page's newsflow paragraphs holding them are listed with `kept`.
    """
    official = load_official()
    pages = load_pages(official, "trafeval", every, half)
    alone = official.trafilatura_alone(pages)
    docs = {d.source.abs_path: d for d in _run_docs(pages, "trafeval")}
    missed: dict[str, int] = {}
    missed_both: dict[str, int] = {}
    leaked: dict[str, int] = {}
    examples = []
    for k, (path, g) in pages.items():
        doc = docs.get(str(path))
        text = doc.text if doc else ""
        for snip in g.get("with", []):
            if snip in text:
                continue
            if doc is None:
                why = "rejected"
            elif fold_text(snip) in fold_text(text):
                why = "quote marks"
            else:
                fs = fold_text(snip)
                hits = [p.reason or "kept" for p in doc.paragraphs if fs in fold_text(p.text) or (
                    len(fold_text(p.text)) > 20 and fold_text(p.text) in fs)]
                why = ",".join(sorted(set(hits))) or "not extracted"
            table = missed if snip in alone[k] else missed_both
            table[why] = table.get(why, 0) + 1
            examples.append(("missed" if snip in alone[k] else "missed by both", why, k, snip[:100]))
        for snip in g.get("without", []):
            if snip not in text:
                continue
            why = "alone too" if snip in alone[k] else "newsflow only"
            leaked[why] = leaked.get(why, 0) + 1
            examples.append(("leaked", why, k, snip[:100]))
    return {"pages": len(pages), "missed": missed, "missed_both": missed_both, "leaked": leaked,
            "examples": examples[: show or None]}


# -- quote survival ---------------------------------------------------------------------------------------------

# A quote mark in a Content span (not an apostrophe): a double mark, NYT's '', or an opening single mark.
_QUOTE_MARK = re.compile(r"[„“”«»\"]|''|(?:^|(?<=\W))[‚‘‹']\w")


def fold_text(text: str) -> str:
    """Quote marks folded (see `_FOLD`) and whitespace collapsed: how quote survival compares texts."""
    return " ".join(text.translate(_FOLD).split())


def load_polnear_quotes(split: str, direct_only: bool = True) -> dict[Path, list[list[str]]]:
    """{text file: [quote as its list of span segments]} from PolNeAR's brat Content spans.

    One annotation file per article (the first in name order). `direct_only` keeps the Content spans holding a
    quote mark (direct and mixed quotations, as the corpus README suggests); the segments are cut from the text
    file by their offsets.
    """
    root = CORPORA / "polnear" / "data" / split
    out: dict[Path, list[list[str]]] = {}
    for txt in sorted((root / "text").glob("*.txt")):
        anns = sorted((root / "attributions").glob(txt.stem + "_*.ann"))
        if not anns:
            continue
        text = txt.read_text(encoding="utf-8")
        quotes = []
        for line in anns[0].read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if not line.startswith("T") or len(parts) < 3 or not parts[1].startswith("Content "):
                continue
            spans = [tuple(map(int, s.split())) for s in parts[1].removeprefix("Content ").split(";")]
            segments = [text[a:b] for a, b in spans]
            if direct_only and not any(_QUOTE_MARK.search(seg) for seg in segments):
                continue
            quotes.append(segments)
        out[txt] = quotes
    return out


def quote_survival(split: str, direct_only: bool = True, every: int = 1) -> dict:
    """How many gold quotes of a PolNeAR split are still whole in newsflow's cleaned text, and why lost ones went.

    The articles of a split run as one batch through decode → clean → normalise → language (as `newsflow run`
    over the folder). A quote survives when every segment of its span, quote marks folded and whitespace
    collapsed, is a substring of the document's text, folded the same way. A lost quote is charged to the
    removal reasons of the removed paragraphs that overlap it (or `rejected` when the whole document was);
    `headline` counts the lost ones from the article's first line, `in_title` those of them in `documents.title`.
    """
    gold = load_polnear_quotes(split, direct_only)
    files = sorted(gold)[::every]
    pages = {f.stem: (f, None) for f in files}
    docs = _run_docs(pages, f"polnear-{split}")
    by_path = {d.source.abs_path: d for d in docs}
    res: dict = {"split": split, "docs": len(files), "quotes": 0, "kept": 0, "headline": 0, "in_title": 0,
                 "lost_by_reason": {}, "examples": []}
    for f in files:
        doc = by_path.get(str(f))
        text = fold_text(doc.text) if doc else ""
        removed = [(fold_text(p.text), p.reason) for p in doc.paragraphs if not p.kept] if doc else []
        headline = fold_text(f.read_text(encoding="utf-8").split("\n", 1)[0])
        for segments in gold[f]:
            res["quotes"] += 1
            missing = [fold_text(s) for s in segments if fold_text(s) and fold_text(s) not in text]
            if not missing:
                res["kept"] += 1
                continue
            if all(fold_text(s) in headline for s in segments):
                # a quote in the article's headline (its first line), moved to documents.title by design
                res["headline"] += 1
                res["in_title"] += bool(doc and doc.title and all(seg in fold_text(doc.title) for seg in missing))
            why = set()
            for seg in missing:
                for ptext, reason in removed:
                    if ptext and (ptext in seg or seg in ptext or _overlaps(ptext, seg)):
                        why.add(reason)
            why = ",".join(sorted(why)) if doc else "rejected"
            why = why or "other"
            if all(fold_text(s) in headline for s in segments):
                why = f"{why} (headline line)"
            res["lost_by_reason"][why] = res["lost_by_reason"].get(why, 0) + 1
            res["examples"].append((f.name, why, " | ".join(segments)[:160]))
    return res


def _overlaps(a: str, b: str, n: int = 6) -> bool:
    """Whether two folded texts share a run of `n` words."""
    wa, wb = a.split(), b.split()
    grams = {tuple(wa[i:i + n]) for i in range(len(wa) - n + 1)}
    return any(tuple(wb[i:i + n]) in grams for i in range(len(wb) - n + 1))


# -- encoding ---------------------------------------------------------------------------------------------------


def _codec(name: str | None) -> str:
    try:
        return codecs.lookup(name or "").name
    except LookupError:
        return name or ""


def eval_encoding() -> dict:
    """Detection on encoding-charset-normalizer: label and decoded-text accuracy of newsflow's decode vs
    charset-normalizer alone. Text accuracy: the decoded text equals the bytes decoded with the labelled charset
    (two labels can name codecs that agree on these bytes)."""
    import charset_normalizer

    root = CORPORA / "encoding-charset-normalizer"
    with open(root / "labels.tsv", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#") and r[0] != "file"]
    out = {"files": len(rows), "newsflow_label": 0, "newsflow_text": 0, "alone_label": 0, "alone_text": 0,
           "misses": []}
    for fname, charset, *_ in rows:
        data = (root / fname).read_bytes()
        want = _codec(charset)
        truth = data.decode(want, errors="replace")
        if truth.startswith("\ufeff"):
            truth = truth[1:]
        text, enc, _ = decode_bytes(data)
        best = charset_normalizer.from_bytes(data).best()
        alone_text = str(best) if best else ""
        out["newsflow_label"] += _codec(enc) == want
        out["newsflow_text"] += text == truth
        out["alone_label"] += bool(best) and _codec(best.encoding) == want
        out["alone_text"] += alone_text == truth
        if text != truth:
            out["misses"].append(f"{fname}: {enc} (label {charset})")
    return out


def eval_mojibake() -> dict:
    """Repairs on mojibake-ftfy, cases expected to pass: newsflow's decode (UTF-8 bytes in) vs ftfy alone.

    Gold is `fixed-encoding` when given (encoding repair only) else `fixed`; both sides are compared with
    straight quotes (ftfy's `fixed` uncurls them, newsflow keeps typographic quotes on purpose). ftfy alone is
    `fix_encoding` (the fixer newsflow uses) and `fix_text` (everything ftfy does). `negative` cases must stay
    unchanged (but for one C1-control fix, which their gold expects): a change there alters clean text.
    """
    import ftfy
    from ftfy.fixes import uncurl_quotes

    root = CORPORA / "mojibake-ftfy"
    cases = []
    for f in ("in-the-wild.json", "synthetic.json", "negative.json", "language-names.json", "known-failures.json"):
        cases += [(f, c) for c in json.loads((root / f).read_text(encoding="utf-8"))]
    res = {"cases": 0, "newsflow": 0, "fix_encoding": 0, "fix_text": 0, "negative": 0, "negative_right": 0,
           "recorded": 0, "changed": 0}
    for f, c in cases:
        if c.get("expect") != "pass":
            continue
        gold = uncurl_quotes(c.get("fixed-encoding", c["fixed"]))
        ours, _, repairs = decode_bytes(c["original"].encode("utf-8"))
        res["cases"] += 1
        res["newsflow"] += uncurl_quotes(ours) == gold
        res["fix_encoding"] += uncurl_quotes(ftfy.fix_encoding(c["original"])) == gold
        res["fix_text"] += uncurl_quotes(ftfy.fix_text(c["original"])) == gold
        if ours != c["original"]:
            res["changed"] += 1
            res["recorded"] += bool(repairs)
        if f == "negative.json":
            res["negative"] += 1
            res["negative_right"] += uncurl_quotes(ours) == gold
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=[*ALL_CORPORA, "encoding", "mojibake"])
    ap.add_argument("--every", type=int, default=1, help="every n-th page of each corpus (default: all)")
    ap.add_argument("--half", choices=["even", "odd"],
                    help="only the pages at even (tuning) or odd (check) indexes in name order, before --every")
    ap.add_argument("--modes", action="store_true", help="also newsflow with each trafilatura option set")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--quote-survival", action="store_true",
                    help="only: PolNeAR gold quotes still in the cleaned text, lost ones by removal reason")
    ap.add_argument("--split", action="append", choices=["train", "dev"], help="PolNeAR split(s) (default both)")
    ap.add_argument("--all-content", action="store_true",
                    help="quote survival over every Content span, not only those with quote marks")
    ap.add_argument("--show", type=int, default=0, help="--quote-survival / --losses: print this many examples")
    ap.add_argument("--losses", action="store_true",
                    help="only: trafilatura-eval snippets trafilatura alone gets right and newsflow not, by cause")
    ap.add_argument("--ceilings", action="store_true",
                    help="only: the best any cleaner over trafilatura can score (trafeval), and a perfect extractor's"
                         " official score (cleanportal, textdumps: their gold keeps HTML entities)")
    args = ap.parse_args(argv)
    if args.ceilings:
        c = ceilings(args.every)
        t = c["trafeval"]
        print(f"trafeval ({t['pages']} pages, {t['with']} 'with' snippets): in trafilatura's text in any mode"
              f" {t['in_any_mode']} ({t['in_any_mode'] / t['with']:.3f}); after newsflow's normalisation"
              f" {t['after_normalisation']} (recall ceiling {t['recall_ceiling']:.3f}); F1 at precision 1.0"
              f" {t['f1_at_precision_1']:.3f}; precision needed for F1 0.94 at that recall"
              f" {t['precision_needed']:.3f}" if t["precision_needed"] else "unreachable")
        for name in ("cleanportal", "textdumps"):
            r = c[name]
            print(f"{name} ({r['pages']} pages): a perfect extractor (gold entities decoded) scores officially"
                  f" P={r['P']:.3f} R={r['R']:.3f} F1={r['F1']:.3f}")
        return
    if args.losses:
        r = losses(args.every, args.show, args.half)
        print(f"trafeval ({r['pages']} pages): 'with' snippets trafilatura alone finds and newsflow misses, by cause")
        for why, k in sorted(r["missed"].items(), key=lambda kv: -kv[1]):
            print(f"  {why:32} {k:5d}")
        print("'with' snippets both miss, by cause in newsflow")
        for why, k in sorted(r["missed_both"].items(), key=lambda kv: -kv[1]):
            print(f"  {why:32} {k:5d}")
        print("'without' snippets newsflow keeps:", r["leaked"])
        for ex in r["examples"]:
            print("   ", *ex)
        return
    if args.quote_survival:
        for split in args.split or ["dev", "train"]:
            r = quote_survival(split, not args.all_content, args.every)
            lost = r["quotes"] - r["kept"]
            print(f"polnear {split}: {r['docs']} docs, {r['quotes']} gold quotes, kept {r['kept']}"
                  f" ({r['kept'] / max(r['quotes'], 1):.1%}), lost {lost} ({lost / max(r['quotes'], 1):.1%}),"
                  f" of which {r['headline']} in the headline line ({r['in_title']} in documents.title)")
            for why, k in sorted(r["lost_by_reason"].items(), key=lambda kv: -kv[1]):
                print(f"  {why:32} {k:5d}")
            for ex in r["examples"][: args.show]:
                print("   ", *ex)
        return
    only = args.only or [*ALL_CORPORA, "encoding", "mojibake"]
    if not CORPORA.is_dir():
        raise SystemExit(f"corpora not found: {CORPORA} (set NEWSFLOW_SHARED)")
    rows = eval_extraction([n for n in ALL_CORPORA if n in only], args.every, args.modes, half=args.half)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"{'corpus':12} {'system':28} {'pages':>5} {'empty':>5} {'P':>6} {'R':>6} {'F1':>6} {'s':>7}")
        for r in rows:
            print(f"{r['corpus']:12} {r['system']:28} {r['pages']:5d} {r['empty']:5d} {r['P']:6.3f} {r['R']:6.3f}"
                  f" {r['F1']:6.3f} {r['seconds']:7.1f}")
    if "encoding" in only:
        e = eval_encoding()
        print(f"\nencoding-charset-normalizer ({e['files']} files): decoded text right: newsflow {e['newsflow_text']},"
              f" charset-normalizer alone {e['alone_text']}; label right: newsflow {e['newsflow_label']},"
              f" alone {e['alone_label']}")
        for m in e["misses"]:
            print("  newsflow text differs:", m)
    if "mojibake" in only:
        m = eval_mojibake()
        print(f"\nmojibake-ftfy ({m['cases']} cases expected to pass): repaired right: newsflow {m['newsflow']},"
              f" ftfy fix_encoding {m['fix_encoding']}, ftfy fix_text {m['fix_text']}; negative cases"
              f" right (clean text not altered) {m['negative_right']}/{m['negative']};"
              f" changed texts with a recorded repair {m['recorded']}/{m['changed']}")


if __name__ == "__main__":
    main()
