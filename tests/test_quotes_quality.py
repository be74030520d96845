"""Quality gate for quotes: the seeds and the PolNeAR dev split, scored with quote_eval.py's definitions, must not fall
below the floors in tests/floors/quotes.json (and the seeds must meet issue 5's targets).

Runs the pure stage functions (no Prefect, no warehouse) through bench/eval_quotes.py. The seed gate needs nothing
outside the repository: tests/gold/seed_quotes.jsonl over sample/2025-03-20, scored by bench/eval_quotes.py's copy
of quote_eval.py's definitions; where ../shared is present, a test checks that copy against ../shared/eval/
quote_eval.py (same gold, same lines). The PolNeAR gate (the whole dev split, about a minute on two cores) is
skipped when ../shared (or $NEWSFLOW_SHARED) is absent.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

import pytest

from .conftest import SHARED, load_bench

FLOORS = json.loads((Path(__file__).with_name("floors") / "quotes.json").read_text(encoding="utf-8"))
HAVE_SHARED = (SHARED / "eval" / "quote_eval.py").exists()
needs_shared = pytest.mark.skipif(
    not HAVE_SHARED,
    reason=f"no shared gold data at {SHARED} (set NEWSFLOW_SHARED to the folder holding eval/, gold/, corpora/)",
)


def _bench():
    return load_bench("eval_quotes")


def _predict(which: str, in_repo: bool) -> tuple[object, dict, dict]:
    """(scorer, gold, predictions) of one gold set, through the pure stage functions and a fresh spaCy pass."""
    bench = _bench()
    ev = bench.load_eval(in_repo)
    folder, gold = bench.load_gold(ev, which)
    docs = bench.prepare(Path(folder))
    from tasks.nlp import analyse

    analyse(docs)
    return ev, gold, bench.predict(docs)


def _figures(line: str) -> dict[str, float]:
    """quote_f1, speaker_acc and who_said_what_f1 from quote_eval.score's line."""
    got = dict(re.findall(r"(F1|speaker_acc|who_said_what_F1)=([0-9.]+)", line))
    return {"quote_f1": float(got["F1"]), "speaker_acc": float(got["speaker_acc"]),
            "who_said_what_f1": float(got["who_said_what_F1"])}


def _check(which: str, line: str) -> None:
    floors = FLOORS[which]
    got = _figures(line)
    for key in ("quote_f1", "speaker_acc", "who_said_what_f1"):
        assert got[key] >= floors[key], f"{which} {key} {got[key]} < floor {floors[key]}: {line}"
    for key, target in floors.get("targets", {}).items() if which == "seeds" else ():
        assert got[key] >= target, f"seeds {key} {got[key]} below the issue's target {target}: {line}"


def test_seed_quotes_not_below_floor_from_the_repository_alone():
    ev, gold, pred = _predict("seeds", in_repo=True)
    rows = Path(__file__).with_name("gold").joinpath("seed_quotes.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum(len(v) for v in gold.values()) == len(rows) and len(gold) == 5  # read from the repository
    _check("seeds", ev.score("seeds", gold, pred))


@needs_shared
def test_polnear_dev_quotes_not_below_floor():
    ev, gold, pred = _predict("polnear-dev", in_repo=False)
    _check("polnear-dev", ev.score("polnear-dev", gold, pred))


@needs_shared
def test_in_repo_seed_gold_and_scorer_are_quote_evals():
    bench = _bench()
    official, ours = bench.load_eval(), bench.load_eval(in_repo=True)
    assert official is not ours
    # the same gold rows over the same texts
    folder_o, gold_o = official.load("seeds")
    folder_r, gold_r = ours.load("seeds")
    assert dict(gold_o) == dict(gold_r)
    digest = lambda folder: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in Path(folder).iterdir()}  # noqa: E731
    assert digest(folder_o) == digest(folder_r)
    # the same line on predictions that take every branch of the scoring: matches, misses, false positives,
    # optional gold quotes, right, wrong and stop-word-only speakers, partial spans (PolNeAR dev gold, perturbed)
    _, gold = official.load("polnear-dev")
    rng = random.Random(5)
    pred: dict[str, list] = {}
    for stem, rows in sorted(gold.items()):
        out = []
        for quote, source in rows:
            r = rng.random()
            words = quote.split()
            if r < 0.15:
                continue  # a miss
            text = " ".join(words[: max(1, len(words) * 2 // 3)]) if r < 0.3 else quote
            speaker = (source or "") if r < 0.7 else ("he" if r < 0.8 else "Somebody Else")
            out.append((text, speaker, "" if r < 0.5 else (source or "")))
        out.append(("a sentence nobody said in this article at all", "Nobody", ""))
        pred[stem] = out
    pred["not_a_document"] = [("stray", "X", "")]
    assert official.score("polnear-dev", gold, pred) == ours.score("polnear-dev", gold, pred)
    assert official.covers("It must end NOW,", "it must end now") == ours.covers("It must end NOW,", "it must end now")
