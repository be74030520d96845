"""Quality gate for quotes: seeds and the PolNeAR dev split scored with ../shared/eval/quote_eval.py's definitions
must not fall below the floors in tests/floors/quotes.json (and the seeds must meet issue 5's targets).

Runs the pure stage functions (no Prefect, no warehouse) through bench/eval_quotes.py; the whole PolNeAR dev split
(84 articles) takes well under a minute with the parser. Skipped when ../shared (or $NEWSFLOW_SHARED) is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import SHARED, load_bench

FLOORS = json.loads((Path(__file__).with_name("floors") / "quotes.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not (SHARED / "eval" / "quote_eval.py").exists(),
    reason=f"no shared gold data at {SHARED} (set NEWSFLOW_SHARED to the folder holding eval/, gold/, corpora/)",
)


def _bench():
    return load_bench("eval_quotes")


def _figures(which: str) -> dict[str, float]:
    """quote_f1, speaker_acc and who_said_what_f1 of one gold set, from quote_eval.score's own line."""
    bench = _bench()
    ev = bench.load_eval()
    folder, gold = bench.load_gold(ev, which)
    docs = bench.prepare(Path(folder))
    from tasks.nlp import analyse

    analyse(docs)
    line = ev.score(which, gold, bench.predict(docs))
    got = dict(re.findall(r"(F1|speaker_acc|who_said_what_F1)=([0-9.]+)", line))
    return {"quote_f1": float(got["F1"]), "speaker_acc": float(got["speaker_acc"]),
            "who_said_what_f1": float(got["who_said_what_F1"]), "line": line}


@pytest.mark.parametrize("which", ["seeds", "polnear-dev"])
def test_quote_quality_not_below_floor(which):
    floors = FLOORS[which]
    got = _figures(which)
    for key in ("quote_f1", "speaker_acc", "who_said_what_f1"):
        assert got[key] >= floors[key], f"{which} {key} {got[key]} < floor {floors[key]}: {got['line']}"
    if which == "seeds":
        for key, target in floors["targets"].items():
            assert got[key] >= target, f"seeds {key} {got[key]} below the issue's target {target}"
