"""Syndication: exact and near-duplicate documents form syndication groups, found incrementally.

Method
- Text for comparison: `documents.text` case-folded and cut into words (`\\w+`), so quote marks of any style,
  punctuation and case never matter. Exact duplicates share `text_hash` (sha256 of those words).
- Near duplicates: MinHash over the set of word 5-shingles (NUM_PERM permutations), candidates found with LSH
  banding (BANDS bands of ROWS rows), then checked on the estimated similarity. Two documents are copies when
  the shingles they share cover at least CONTAINMENT_MIN of the shorter one (containment, estimated from the
  MinHash Jaccard and both shingle counts): a copy with a boilerplate paragraph more, or cut after a few
  paragraphs, still matches, where plain Jaccard would fall with every paragraph added or removed.
- Incremental: each document's signature is written once (table `signatures`, one file per batch); a run
  computes signatures only for documents that have none, finds their candidates among all signatures, and
  gives each new document a group: the group of its most similar earlier match, or a new group named after
  itself. Existing assignments are never rewritten, so group ids are stable (a group's id is the doc_id of the
  document that founded it, the earliest at the time). The view `syndication_groups` works out which member is
  the earliest now and the similarity of each member to it from the stored signatures.

Why a numpy MinHash and not datasketch: datasketch requires scipy (143 MB) for features unused here; numpy is
already installed, and a MinHash with banded LSH is 40 lines (tests/test_dedup.py checks its estimates).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

NUM_PERM = 128
SHINGLE = 5  # words per shingle: long enough that unrelated news rarely shares one, short enough to survive edits
# 64 bands of 2 rows: a pair is a candidate with probability 1-(1-J^2)^64: 0.93 at J=0.2, >0.99 at J=0.3, 0.006 at
# J=0.01 (unrelated articles). Syndicated copies cut and padded fall to J=0.3-0.5, so the bands must catch those:
# with 32 bands of 4 rows only 78% of the synthetic copies of bench/bench_clusters.py --calibrate were candidates,
# with 64 of 2, 100%.
BANDS, ROWS = 64, 2
# Containment (shared shingles / shingles of the shorter document) at which two documents are one syndicated
# text. Measured with bench/bench_clusters.py --calibrate on the 2,225 BBC articles: 99.4% of 500 synthetic
# copies (other quote marks, the last third of paragraphs cut, a boilerplate line and a teaser added) estimate
# >= 0.5 (1% quantile 0.59). Of the BBC's own 184 pairs >= 0.5, 162 are its exact duplicates (>= 0.9); of the 21
# between 0.5 and 0.9, judged by headline, most are one report updated (same lead paragraphs) and 2 are clearly
# different reports sharing a long background passage (an auction, a party tour): the price of the threshold.
# Below 0.5 the pairs are mostly follow-up stories that share a paragraph or two.
CONTAINMENT_MIN = 0.5
# Containment is estimated from the Jaccard estimate, whose error (1/128 per equal value) is multiplied by the
# size ratio: a 100-shingle text against a 2,000-shingle one reads containment 0.6 from J=0.03, pure noise. So
# the Jaccard estimate must also reach JACCARD_MIN: the synthetic copies of --calibrate have J >= 0.21 (1%
# quantile; 99.0% meet both thresholds), and a text must then share half of itself with one at most ~4x longer.
JACCARD_MIN = 0.2
_MAX = np.uint64((1 << 64) - 1)
_rng = np.random.default_rng(20250320)  # fixed seed: signatures must be comparable across runs and machines
_SEEDS = _rng.integers(0, 1 << 63, NUM_PERM, dtype=np.uint64)
_BAND_MULT = _rng.integers(1, 1 << 63, ROWS, dtype=np.uint64) | np.uint64(1)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Signature:
    """What is kept of a document to find its copies: the hash of its words, its MinHash, its shingle count."""

    doc_id: str
    day: date
    text_hash: str
    minhash: np.ndarray  # NUM_PERM uint64 values
    n_shingles: int


def text_words(text: str) -> list[str]:
    """The words of a text, case-folded and NFKC-normalised (quote styles and punctuation drop out)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(words: list[str], k: int = SHINGLE) -> set[str]:
    """The set of k-word shingles as text (for inspection and tests; signatures use shingle_hashes)."""
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def _mix(z: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection that spreads every input bit over the output)."""
    z = z ^ (z >> np.uint64(33))
    z = z * np.uint64(0xFF51AFD7ED558CCD)
    z = z ^ (z >> np.uint64(33))
    z = z * np.uint64(0xC4CEB9FE1A85EC53)
    return z ^ (z >> np.uint64(33))


def _word_hashes(words: list[str]) -> np.ndarray:
    distinct = {w: int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") for w in words}
    return np.fromiter((distinct[w] for w in words), dtype=np.uint64, count=len(words))


def shingle_hashes(words: list[str], k: int = SHINGLE) -> np.ndarray:
    """Distinct 64-bit hashes of the k-word shingles (one for a text shorter than k words; none when empty).

    Each word is hashed once and a shingle's hash folds its k word hashes in order through the mixer, in numpy:
    5x faster than hashing every shingle's text, which dominated clustering time (bench/bench_clusters.py).
    """
    if not words:
        return np.empty(0, dtype=np.uint64)
    wh = _word_hashes(words)
    m = max(1, len(words) - k + 1)
    acc = np.zeros(m, dtype=np.uint64)
    for j in range(min(k, len(words))):
        acc = _mix(acc ^ wh[j : j + m])
    return np.unique(acc)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (NUM_PERM uint64) of a set of 64-bit hashes: per permutation i, the min over the
    hashes h of mix(h xor seed_i). An empty set gives all-max values.

    Why not (a*h+b) mod p with 32-bit a and h (no overflow in uint64): a*h then wraps p only a few times, so
    every "permutation" keeps nearly the order of h and the estimates are badly biased (measured: 0.16 for a true
    Jaccard of 0.77). A seeded bijective mixer gives independent-looking orders; numpy's uint64 multiply wraps.
    """
    if hashes.size == 0:
        return np.full(NUM_PERM, _MAX, dtype=np.uint64)
    out = np.full(NUM_PERM, _MAX, dtype=np.uint64)
    for start in range(0, hashes.size, 4096):  # bounded memory for very long texts
        chunk = hashes[start : start + 4096]
        out = np.minimum(out, _mix(chunk[:, None] ^ _SEEDS[None, :]).min(axis=0))
    return out


def signature(doc_id: str, text: str, day: date) -> Signature:
    """The signature of one document's text."""
    words = text_words(text)
    sh = shingle_hashes(words)
    digest = hashlib.sha256(" ".join(words).encode()).hexdigest()
    return Signature(doc_id, day, digest, minhash(sh), int(sh.size))


def encode_minhash(sig: np.ndarray) -> str:
    """A signature as text (16 hex digits per value), the form stored in `signatures.minhash`: fixed width, so
    SQL can compare two signatures value by value with substr (see mart_syndication_groups.sql)."""
    return sig.astype(">u8").tobytes().hex()


def decode_minhash(text: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(text), dtype=">u8").astype(np.uint64)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two shingle sets from their MinHash signatures."""
    return float(np.mean(a == b))


def containment(j: float, n_a: int, n_b: int) -> float:
    """Shared shingles over the smaller set's size, from the Jaccard estimate and both set sizes."""
    if min(n_a, n_b) == 0:
        return 0.0
    inter = j * (n_a + n_b) / (1 + j)
    return min(1.0, inter / min(n_a, n_b))


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64 LSH keys: each band's ROWS values hashed together (wrapping multiply-add)."""
    bands = sigs[:, : BANDS * ROWS].reshape(len(sigs), BANDS, ROWS)
    return (bands * _BAND_MULT).sum(axis=2, dtype=np.uint64)


def event_day(published: date | None, batch: str, ingested_at: datetime | None) -> date:
    """The day a document counts for in time windows: published, else its batch name when that is an ISO date
    (a nightly batch folder is named after the crawl day, so the article is from that day or before), else the
    day it was ingested."""
    if published:
        return published
    try:
        return date.fromisoformat(batch[:10])
    except ValueError:
        return ingested_at.date() if ingested_at else date.today()


def assign_groups(existing: list[Signature], groups: dict[str, str], new: list[Signature]) -> list[dict]:
    """Syndication rows (doc_id, group_id, matched_doc_id, similarity, method) for the `new` signatures.

    `existing` are the signatures already assigned, `groups` their doc_id -> group_id. New documents are taken
    earliest first (day, doc_id); each joins the group of its best match among the existing and the new ones
    taken before it: an exact match (same words) first, else the candidate from LSH with the highest
    containment >= CONTAINMENT_MIN (and Jaccard >= JACCARD_MIN). Without a match it founds a group named after itself.
    """
    new = sorted(new, key=lambda s: (s.day, s.doc_id))
    allsigs = existing + new
    if not new:
        return []
    matrix = np.stack([s.minhash for s in allsigs])
    keys = band_keys(matrix)
    sizes = np.array([s.n_shingles for s in allsigs], dtype=np.float64)
    by_hash: dict[str, int] = {}
    for i, s in enumerate(existing):
        by_hash.setdefault(s.text_hash, i)
    groups = dict(groups)
    rows = []
    n_old = len(existing)
    for j, sig in enumerate(new):
        i = n_old + j
        match, sim, method = None, 1.0, "exact"
        if sig.text_hash in by_hash:
            match = by_hash[sig.text_hash]
        else:
            # LSH candidates among the documents already assigned: any band equal (one vectorised pass)
            cands = np.flatnonzero((keys[:i] == keys[i]).any(axis=1))
            if cands.size:
                jac = (matrix[cands] == matrix[i]).mean(axis=1)
                inter = jac * (sizes[cands] + sig.n_shingles) / (1 + jac)
                cont = np.minimum(1.0, inter / np.maximum(1.0, np.minimum(sizes[cands], sig.n_shingles)))
                ok = (cont >= CONTAINMENT_MIN) & (jac >= JACCARD_MIN)
                if ok.any():
                    # best: highest containment, then Jaccard, then the earliest-assigned document
                    best = max(np.flatnonzero(ok), key=lambda k: (cont[k], jac[k], -cands[k]))
                    match, sim, method = int(cands[best]), float(jac[best]), "near"
        if match is None:
            group, matched, sim, method = sig.doc_id, None, 1.0, "self"
        else:
            group, matched = groups[allsigs[match].doc_id], allsigs[match].doc_id
        groups[sig.doc_id] = group
        by_hash.setdefault(sig.text_hash, i)
        rows.append({"doc_id": sig.doc_id, "group_id": group, "matched_doc_id": matched,
                     "similarity": round(sim, 4), "method": method})
    return rows
