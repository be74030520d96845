"""Entities under `NlpOptions(parse="full")` and `parse="quotes"` (tasks/nlp.py) on the same cleaned articles:
how many documents get other mentions, and which (each with some text around it).

    .venv/bin/python bench/parse_modes_entities.py                       # every 4th BBC article (557)
    .venv/bin/python bench/parse_modes_entities.py --every 1 --corpus DIR
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from eval_quotes import prepare  # noqa: E402

from tasks.entities import extract_entities  # noqa: E402
from tasks.nlp import NlpOptions, analyse  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/bbc-news-en/bbc")
    ap.add_argument("--every", type=int, default=4, help="take every Nth article (path order)")
    a = ap.parse_args()
    docs = [d for d in prepare(a.corpus)[:: a.every] if d.language == "en"]
    texts = {d.source.source_path: d.text for d in docs}
    found = {}
    for mode in ("full", "quotes"):
        ds = copy.deepcopy(docs)
        analyse(ds, NlpOptions(parse=mode))
        ds, _ = extract_entities(ds)
        found[mode] = {d.source.source_path: {(m.start, m.end, m.label, m.name) for m in d.mentions} for d in ds}
    differ = [k for k in found["full"] if found["full"][k] != found["quotes"].get(k)]
    print(f"{len(docs)} documents, {len(differ)} with other mentions")
    for k in differ:
        print("==", k)
        for side, a_, b_ in (("full only  ", "full", "quotes"), ("quotes only", "quotes", "full")):
            for s, e, label, name in sorted(found[a_][k] - found[b_].get(k, set())):
                print(f"  {side} {label:7} {name!r:40} …{texts[k][max(0, s - 30) : e + 10]!r}")


if __name__ == "__main__":
    main()
