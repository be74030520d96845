"""Quality floor: extraction figures must not drop below those recorded in tests/floors/extraction.json.

A fixed subset runs here (every 10th trafilatura-eval page, all cleanportal and textdumps pages, both encoding
sets, the share of PolNeAR dev gold quotes the cleaner keeps); `bench/eval_extraction.py` runs everything and prints the figures beside the libraries alone. Floors are
measured values (docs/cleaning.md says how): raise them when quality rises, never lower one silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import SHARED, load_bench

FLOORS = json.loads((Path(__file__).with_name("floors") / "extraction.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpora").is_dir() or not (SHARED / "eval" / "extraction_eval.py").is_file(),
    reason=f"shared corpora not found at {SHARED} (set NEWSFLOW_SHARED)",
)


def _bench():
    return load_bench("eval_extraction")


@pytest.fixture(scope="module")
def bench():
    return _bench()


@pytest.fixture(scope="module")
def extraction(bench):
    """{corpus: row} for newsflow over the floor subsets."""
    out = {}
    for name, spec in FLOORS["extraction"].items():
        rows = bench.eval_extraction([name], every=spec["every"], baselines=False)
        (out[name],) = [r for r in rows if r["system"] == "newsflow"]
    return out


@pytest.mark.parametrize("corpus", sorted(FLOORS["extraction"]))
@pytest.mark.parametrize("figure", ["P", "R", "F1"])
def test_extraction_floor(extraction, corpus, figure):
    floor = FLOORS["extraction"][corpus][figure]
    got = extraction[corpus][figure]
    assert got >= floor, f"{corpus} {figure} {got:.4f} < floor {floor}"


def test_encoding_floor(bench):
    e = bench.eval_encoding()
    assert e["newsflow_text"] >= FLOORS["encoding"]["decoded_right"], e["misses"]


@pytest.mark.skipif(not (SHARED / "corpora" / "polnear").is_dir(), reason="polnear corpus not found")
def test_quote_survival_floor(bench):
    spec = FLOORS["quote_survival"]
    r = bench.quote_survival(spec["split"])
    assert r["kept"] / r["quotes"] >= spec["kept"], r["lost_by_reason"]


def test_mojibake_floor(bench):
    m = bench.eval_mojibake()
    f = FLOORS["mojibake"]
    assert m["newsflow"] >= f["repaired_right"]
    assert m["negative_right"] >= f["negative_right"]
    assert m["recorded"] == m["changed"]  # every change to the text is recorded as a repair
