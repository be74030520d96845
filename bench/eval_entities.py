"""NER precision and recall of newsflow's entities stage on a hand-checked sample of PolNeAR (English news).

PolNeAR has no entity annotation, so the gold here is by eye: the mentions newsflow produced for five dev
articles (one per outlet) were read against the texts, and JUDGED records, per article, the mentions that were
wrong and the named entities of the kept types the text contains that no mention covered. The script reruns
the stage, prints every mention, and computes the figures from those judgements, so a change of rules or
model shows up as mentions the judgements do not cover (printed as "unjudged", never counted silently).

    .venv/bin/python bench/eval_entities.py [--polnear ../shared/corpora/polnear] [--show]

Strict: the cleaned name's span and label are right. Lenient: the span names a real entity, label aside.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.entities import extract_entities  # noqa: E402
from tasks.nlp import NlpOptions, analyse  # noqa: E402
from tasks.records import Doc, SourceFile  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "polnear"
SAMPLE = [
    "dev/text/politico_2016-09-28_axelrod-calls-on-dean-to-apologi.txt",
    "dev/text/breitbart_2016-09-15_pat-caddell-democrat-voters-worr.txt",
    "dev/text/huff-post_2016-09-20_hillary-clinton-speaks-directly-.txt",
    "dev/text/usa-today_2016-09-08_laws-don-t-apply-equially-to-cli.txt",
    "dev/text/west-journal_2016-09-15_retired-general-reveals-demorali.txt",
]
# Per article: "wrong_label" = right span, wrong label ((text, label) as produced); "wrong_span" = not an
# entity or a broken span ((text, label)); "missed" = entities of the kept types no mention covers (as written).
# Judged by eye on 2026-11-22 against the texts (98 mentions produced, every one read).
JUDGED: dict[str, dict[str, list]] = {
    SAMPLE[0]: {"wrong_label": [], "wrong_span": [("Coke", "ORG")],  # "Coke user?" = cocaine, not Coca-Cola
                "missed": ["Trump"]},  # "Notice Trump sniffing" inside a quoted tweet
    SAMPLE[1]: {"wrong_label": [("Morning Consult", "PERSON"), ("Rasmussen", "PERSON")],  # pollsters: ORG
                "wrong_span": [], "missed": ["SiriusXM"]},
    SAMPLE[2]: {"wrong_label": [], "wrong_span": [], "missed": []},
    SAMPLE[3]: {"wrong_label": [], "wrong_span": [], "missed": ["FACEBOOK"]},  # the heading naming the source
    # "Ham" alone (the general's surname, also an English word) found once out of six
    SAMPLE[4]: {"wrong_label": [], "wrong_span": [], "missed": ["Ham"] * 5},
}


def load(root: Path) -> list[Doc]:
    docs = []
    for i, rel in enumerate(SAMPLE):
        text = (root / "data" / rel).read_text(encoding="utf-8")
        doc = Doc(SourceFile("polnear", rel, str(root / rel), len(text), 0), f"{i:064d}", b"", 0.0)
        doc.text, doc.language = text, "en"
        docs.append(doc)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", type=Path, default=DEFAULT)
    ap.add_argument("--show", action="store_true", help="print every mention for checking by eye")
    args = ap.parse_args()
    docs, _ = analyse(load(args.polnear), NlpOptions())
    docs, _ = extract_entities(docs)
    tot = {"mentions": 0, "wrong_label": 0, "wrong_span": 0, "missed": 0}
    unjudged = []
    for d in docs:
        rel = d.source.source_path
        j = JUDGED.get(rel, {"wrong_label": [], "wrong_span": [], "missed": []})
        produced = [(m.text, m.label) for m in d.mentions]
        if args.show:
            print(f"\n== {rel}")
            for m in d.mentions:
                print(f"  {m.start:5d} {m.label:7s} {m.text!r:40s} -> {m.name}")
        for kind in ("wrong_label", "wrong_span"):
            for item in j[kind]:
                if tuple(item) not in produced:
                    unjudged.append((rel, kind, item))
        tot["mentions"] += len(produced)
        tot["wrong_label"] += sum(produced.count(tuple(x)) for x in j["wrong_label"])
        tot["wrong_span"] += sum(produced.count(tuple(x)) for x in j["wrong_span"])
        tot["missed"] += len(j["missed"])
    right_span = tot["mentions"] - tot["wrong_span"]
    right = right_span - tot["wrong_label"]
    print(f"\narticles {len(docs)}, mentions produced {tot['mentions']}, wrong span {tot['wrong_span']}, "
          f"right span wrong label {tot['wrong_label']}, missed {tot['missed']}")
    print("| | precision | recall | F1 |\n|---|---|---|---|")
    for name, tp in (("strict (span and label)", right), ("lenient (span)", right_span)):
        p = tp / tot["mentions"] if tot["mentions"] else 0.0
        r = tp / (tp + tot["missed"] + (right_span - tp)) if tp else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"| {name} | {p:.2f} | {r:.2f} | {f:.2f} |")
    for u in unjudged:
        print("judgement no longer matches a mention (rejudge):", *u)


if __name__ == "__main__":
    main()
