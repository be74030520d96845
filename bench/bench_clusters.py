"""Clustering benchmark and threshold calibration, on the BBC News corpus (../shared/corpora/bbc-news-en).

    .venv/bin/python bench/bench_clusters.py                 incremental clustering time vs warehouse size
    .venv/bin/python bench/bench_clusters.py --sizes 1000 5000 20000 --batch 100
    .venv/bin/python bench/bench_clusters.py --calibrate     the measurements behind the thresholds

Incremental: a warehouse of N documents (BBC articles, and beyond 2,225 new articles made by mixing paragraphs of
different ones, 100 per day-batch, with fabricated mentions: capitalised words as entity ids, so no spaCy) is
clustered once, then a batch of `--batch` documents (a fifth of them syndicated copies of earlier articles) is
added and `update_clusters` timed. Prints one row per N.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import schemas  # noqa: E402
from tasks import dedup, stories  # noqa: E402
from tasks.write import batch_file, write_table  # noqa: E402

BBC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc-news-en" / "bbc"
BOILERPLATE = [
    "Share this article on Facebook, X and WhatsApp. Sign up for our newsletter to get the news every morning.",
    "Dieser Artikel wurde von einer Nachrichtenagentur übernommen. Alle Rechte vorbehalten. Kommentare (0)",
]


def load_bbc() -> list[tuple[str, str]]:
    """(section, text) of every BBC article: headline line dropped, paragraphs kept."""
    out = []
    for f in sorted(BBC.glob("*/*.txt")):
        text = f.read_bytes().decode("utf-8", "replace")
        out.append((f.parent.name, text.split("\n", 1)[1].strip() if "\n" in text else text))
    return out


def syndicate(text: str, rng: random.Random, other: str) -> str:
    """A republished copy: German quote marks, the last third of paragraphs cut, boilerplate and a teaser added."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    keep = paragraphs[: max(1, len(paragraphs) - len(paragraphs) // 3)]
    body = "\n\n".join(keep).replace('"', "„", 1).replace('"', "“", 1)
    teaser = other.split("\n\n")[0]
    return "\n\n".join([body, rng.choice(BOILERPLATE), "Read more: " + teaser])


# -- calibration --------------------------------------------------------------------------------------------


def calibrate() -> None:
    docs = load_bbc()
    texts = [t for _, t in docs]
    sections = [s for s, _ in docs]
    print(f"BBC News: {len(texts)} articles\n")
    sh = [dedup.shingles(dedup.text_words(t)) for t in texts]
    sizes = np.array([len(s) for s in sh])
    postings = defaultdict(list)
    for i, s in enumerate(sh):
        for x in s:
            postings[x].append(i)
    shared = Counter()
    for ids in postings.values():
        if len(ids) <= 50:  # a shingle in 50+ articles is a stock phrase, not a copied text
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    shared[ids[a], ids[b]] += 1
    cont = {k: n / min(sizes[k[0]], sizes[k[1]]) for k, n in shared.items()}
    print("1. exact containment of BBC article pairs (shared 5-shingles / shingles of the shorter)")
    print("| containment >= | pairs |\n|---|---|")
    for t in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2):
        print(f"| {t} | {sum(v >= t for v in cont.values())} |")
    print("\npairs between 0.3 and 0.9 (to judge by their headlines which are one text):")
    heads = [f.read_bytes().decode("utf-8", "replace").split("\n", 1)[0][:45] for f in sorted(BBC.glob("*/*.txt"))]
    for (a, b), v in sorted(cont.items(), key=lambda kv: -kv[1]):
        if 0.3 <= v < 0.9:
            print(f"  {v:.2f}  {heads[a]} | {heads[b]}")

    rng = random.Random(7)
    sample = rng.sample(range(len(texts)), 500)
    est, jacs, found = [], [], 0
    for i in sample:
        other = texts[rng.randrange(len(texts))]
        a = dedup.signature("a", texts[i], date(2025, 1, 1))
        b = dedup.signature("b", syndicate(texts[i], rng, other), date(2025, 1, 1))
        j = dedup.jaccard(a.minhash, b.minhash)
        est.append(dedup.containment(j, a.n_shingles, b.n_shingles))
        jacs.append(j)
        keys = dedup.band_keys(np.stack([a.minhash, b.minhash]))
        found += bool((keys[0] == keys[1]).any())
    est = np.array(est)
    print("\n2. MinHash containment of 500 synthetic syndicated copies (quote marks, last third cut, boilerplate)")
    print(f"   quantiles 1% {np.quantile(est, 0.01):.2f}, 5% {np.quantile(est, 0.05):.2f}, "
          f"median {np.median(est):.2f}; >= CONTAINMENT_MIN ({dedup.CONTAINMENT_MIN}): "
          f"{np.mean(est >= dedup.CONTAINMENT_MIN):.3f}; LSH candidate recall {found / len(sample):.3f}")
    print(f"   their Jaccard estimates: 1% {np.quantile(jacs, 0.01):.2f}, 5% {np.quantile(jacs, 0.05):.2f}, "
          f"median {np.median(jacs):.2f}; both thresholds met: "
          f"{np.mean((est >= dedup.CONTAINMENT_MIN) & (np.array(jacs) >= dedup.JACCARD_MIN)):.3f}")

    kws = [frozenset(stories.keywords(t)) for t in texts]
    same, allv = [], []
    for i in range(len(kws)):
        for j in range(i + 1, len(kws)):
            u = len(kws[i] | kws[j])
            v = len(kws[i] & kws[j]) / u if u else 0.0
            allv.append(v)
            if sections[i] == sections[j]:
                same.append(v)
    same, allv = np.array(same), np.array(allv)
    print("\n3. keyword-set Jaccard (top 20 content words) of BBC article pairs")
    print("| quantile | all pairs | same section |\n|---|---|---|")
    for q in (0.99, 0.999, 0.9999):
        print(f"| {q} | {np.quantile(allv, q):.3f} | {np.quantile(same, q):.3f} |")
    print(f"pairs >= STORY_MIN ({stories.STORY_MIN}): {int((allv >= stories.STORY_MIN).sum())} of {len(allv)}")
    pairs = [(i, j) for i in range(len(kws)) for j in range(i + 1, len(kws))
             if 0.2 <= len(kws[i] & kws[j]) / max(1, len(kws[i] | kws[j])) < stories.STORY_MIN]
    print("a sample of pairs scoring 0.2 to STORY_MIN:")
    for i, j in random.Random(1).sample(pairs, min(15, len(pairs))):
        print(f"  {heads[i]} | {heads[j]}")


# -- incremental benchmark ----------------------------------------------------------------------------------


def fabricate(n: int, rng: random.Random, base: list[str]) -> list[str]:
    """n article texts: the BBC articles, then new ones mixing paragraphs of several articles."""
    out = list(base[:n])
    paragraphs = [p for t in base for p in t.split("\n\n") if len(p) > 80]
    while len(out) < n:
        out.append("\n\n".join(rng.sample(paragraphs, rng.randint(5, 12))))
    return out


def entity_ids(text: str) -> list[str]:
    """Stand-in for NER: capitalised words not starting a sentence, hashed like entity ids."""
    words = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}", text)
    return [hashlib.sha256(w.encode()).hexdigest()[:16] for w in words]


def write_batches(root: Path, texts: list[str], start: date, per_batch: int, offset: int) -> list[str]:
    """Write the texts as documents (and fabricated mentions) in day batches; returns their doc ids in order."""
    now = datetime.now(UTC)
    ids = []
    for b in range(0, len(texts), per_batch):
        day = start + timedelta(days=(offset + b) // per_batch)
        batch = day.isoformat() + f"-{offset + b}"
        docs, mentions = [], []
        for k, text in enumerate(texts[b : b + per_batch]):
            doc_id = hashlib.sha256(f"{offset + b + k}:{text}".encode()).hexdigest()[:16]
            ids.append(doc_id)
            docs.append({"doc_id": doc_id, "source_path": f"{batch}/{k}.txt", "batch": batch,
                         "content_sha256": doc_id * 4, "run_id": "bench", "ingested_at": now, "text": text,
                         "n_chars": len(text), "pipeline_version": "bench", "published": day, "language": "en"})
            mentions += [{"doc_id": doc_id, "entity_id": e, "text": e, "name": e, "label": "ORG", "start": 0,
                          "end": 1} for e in entity_ids(text)]
        write_table(docs, schemas.DOCUMENTS, batch_file(root, "documents", batch))
        write_table(mentions, schemas.MENTIONS, batch_file(root, "mentions", batch))
    return ids


def bench(sizes: list[int], batch: int) -> None:
    rng = random.Random(3)
    base = [t for _, t in load_bbc()]
    print(f"| warehouse documents | first clustering of the warehouse (s) | +{batch} documents (s) | "
          "per new document (ms) | planted copies found | other documents matched | stories started |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        root = Path(tempfile.mkdtemp(prefix="bench-clusters-"))
        try:
            texts = fabricate(n, rng, base)
            write_batches(root, texts, date(2025, 1, 1), 100, 0)
            t0 = time.perf_counter()
            stories.update_clusters(root)
            t_full = time.perf_counter() - t0
            n_copies = batch // 5
            recent = texts[-300:]  # copies of articles of the last days, as a wire story spreads
            new = [syndicate(rng.choice(recent), rng, rng.choice(base)) for _ in range(n_copies)]
            new += fabricate(batch - n_copies + len(base), rng, base)[len(base):]
            ids = write_batches(root, new, date(2025, 1, 1), batch, n)
            t0 = time.perf_counter()
            counts = stories.update_clusters(root)
            t_inc = time.perf_counter() - t0
            matched = {r["doc_id"] for f in (root / "syndication").glob("*.parquet")
                       for r in pq.read_table(f).to_pylist() if r["matched_doc_id"]}
            planted = sum(i in matched for i in ids[:n_copies])
            # a mix of paragraphs can hold half of a short article: a true match, though not planted
            other = sum(i in matched for i in ids[n_copies:])
            print(f"| {n} | {t_full:.1f} | {t_inc:.2f} | {1000 * t_inc / batch:.1f} | {planted} / {n_copies} | "
                  f"{other} | {counts['new_stories']} |", flush=True)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calibrate", action="store_true", help="print the measurements behind the thresholds")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args()
    if not BBC.exists():
        sys.exit(f"no BBC corpus at {BBC}")
    if args.calibrate:
        calibrate()
    else:
        bench(args.sizes, args.batch)


if __name__ == "__main__":
    main()
