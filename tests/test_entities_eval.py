"""Quality gate: NER precision and recall on the hand-judged PolNeAR sample (bench/eval_entities.py) stay above
the floors measured when the judgements were made. Skipped where ../shared/corpora is not present."""


import pytest

from .conftest import load_bench

# Measured 2026-11-22 over both samples (209 mentions): strict P 0.95 R 0.93, lenient P 0.99 R 0.97.
FLOORS = {"strict_p": 0.94, "strict_r": 0.92, "lenient_p": 0.98, "lenient_r": 0.96}


def _bench():
    return load_bench("eval_entities")


def test_ner_quality_on_the_judged_polnear_sample():
    bench = _bench()
    if not (bench.DEFAULT / "data").exists():
        pytest.skip(f"PolNeAR not found at {bench.DEFAULT}")
    results = bench.measure(bench.DEFAULT)
    tot, unjudged = results["both samples"]
    assert not unjudged, f"mentions the judgements do not cover (judge them in bench/eval_entities.py): {unjudged}"
    got = bench.scores(tot)
    assert all(got[k] >= floor for k, floor in FLOORS.items()), got
