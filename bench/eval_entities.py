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
# Development sample: judged first; the surname rule (tasks/entities.py `surname_mentions`) was written after
# seeing its misses, so its figures flatter the rules. Held-out sample: judged once the rules were final.
SAMPLES = {
    "development": [
        "dev/text/politico_2016-09-28_axelrod-calls-on-dean-to-apologi.txt",
        "dev/text/breitbart_2016-09-15_pat-caddell-democrat-voters-worr.txt",
        "dev/text/huff-post_2016-09-20_hillary-clinton-speaks-directly-.txt",
        "dev/text/usa-today_2016-09-08_laws-don-t-apply-equially-to-cli.txt",
        "dev/text/west-journal_2016-09-15_retired-general-reveals-demorali.txt",
    ],
    "held-out": [
        "dev/text/wash-post_2016-10-05_international-monetary-fund-slas.txt",
        "dev/text/politico_2016-09-22_judge-rejects-new-york-times-req.txt",
        "dev/text/usa-today_2016-09-29_can-you-imagine-if-trump-were-a-.txt",
        "dev/text/west-journal_2016-10-04_railing-against-trump-sanders-vo.txt",
    ],
}
# Judged by eye against the texts on 2026-11-22 (one reader, no second annotator). Per article: "checked" =
# start offsets of every mention read; "wrong_span"
# = (start, text, label) not an entity of a kept type, or a broken span; "wrong_label" = (start, text, label)
# right span, wrong label; "missed" = (start, text) entities of the kept types no mention covers.
JUDGED: dict[str, dict[str, list]] = {
    SAMPLES["development"][0]: {
        "checked": [0, 17, 50, 71, 108, 136, 228, 289, 295, 319, 407, 422, 498, 605, 618, 659, 864, 1182, 1248,
                    1292],
        "wrong_span": [(605, "Coke", "ORG")],  # "Coke user?" = cocaine, not Coca-Cola
        "wrong_label": [],
        "missed": [(576, "Trump")],  # "Notice Trump sniffing", in a quoted tweet
    },
    SAMPLES["development"][1]: {
        "checked": [0, 13, 43, 168, 188, 205, 231, 454, 497, 517, 555, 748, 895, 1009, 1141, 1162, 1228, 1279,
                    1354, 1406, 1412, 1425, 1434],
        "wrong_span": [],
        "wrong_label": [(497, "Morning Consult", "PERSON"), (517, "Rasmussen", "PERSON"),
                        (1009, "Rasmussen", "PERSON")],  # pollsters: ORG
        "missed": [(1463, "SiriusXM")],
    },
    SAMPLES["development"][2]: {
        "checked": [0, 81, 134, 154, 161, 383, 572, 590, 891, 954, 1133, 1182, 1216, 1304, 1445, 1464],
        "wrong_span": [], "wrong_label": [], "missed": [],
    },
    SAMPLES["development"][3]: {
        "checked": [29, 69, 181, 269, 407, 705, 852, 870, 881, 925, 1069, 1094, 1149, 1163, 1191, 1361, 1387,
                    1579, 1607, 1717],
        "wrong_span": [], "wrong_label": [],
        "missed": [(887, "FACEBOOK")],  # the heading naming the letters' source
    },
    SAMPLES["development"][4]: {
        # "Ham" alone (the general's surname, also an English word): spaCy found 1 of 6, the surname rule the rest
        "checked": [67, 83, 103, 257, 269, 315, 373, 397, 414, 495, 664, 673, 1242, 1249, 1477, 1575, 1693, 1792,
                    1819, 1830, 1849, 1976, 2049, 2063],
        "wrong_span": [], "wrong_label": [], "missed": [],
    },
    SAMPLES["held-out"][0]: {
        "checked": [0, 49, 63, 150, 285, 302, 606, 614, 623, 633, 701, 842, 966, 1092, 1344, 1359, 1387, 1573,
                    1596, 1695, 1825, 1849, 1885, 1937, 2031, 2224, 2365, 2388, 2426, 2460, 2574, 2600, 2632, 2651,
                    2742, 2829, 2839, 2861, 2884, 3272],
        "wrong_span": [],
        # Brexit is no person; the two trade treaties are LAW in OntoNotes, not ORG
        "wrong_label": [(1849, "Brexit", "PERSON"), (2224, "Brexit", "PERSON"),
                        (2600, "the Trans- Pacific Partnership", "ORG"),
                        (2742, "the North American Free Trade Agreement", "ORG")],
        "missed": [(1072, "IMF")],  # "IMF chief economist Maury Obstfeld"
    },
    SAMPLES["held-out"][1]: {
        "checked": [14, 70, 173, 206, 302, 329, 481, 531, 563, 944, 1190, 1201, 1261, 1298, 1704, 1859, 2145,
                    2467, 2573, 2629, 2650, 2871, 2999],
        "wrong_span": [(2573, "Court", "ORG")],  # "the Court's well-reasoned decision": no name
        # Ivana (Trump's ex-wife) and Judge Nervo as places, the Gannett newspaper chain as a person
        "wrong_label": [(206, "Ivana", "GPE"), (329, "Gannett", "PERSON"), (944, "Nervo", "GPE"),
                        (2145, "Nervo", "GPE"), (2650, "Nervo", "GPE")],
        "missed": [(47, "Trump"), (2616, "Trump")],  # "unseal Trump divorce file", "Trump lawyer Marc Kasowitz"
    },
    SAMPLES["held-out"][2]: {
        "checked": [19, 53, 260, 280, 341, 379, 641, 659, 929, 1149, 1450, 1763, 1776],
        "wrong_span": [], "wrong_label": [], "missed": [],
    },
    SAMPLES["held-out"][3]: {
        "checked": [23, 96, 136, 149, 207, 260, 317, 515, 573, 979, 999, 1028, 1350, 1383, 1603, 1639, 1696, 1832,
                    1945, 2109, 2143, 2199, 2311, 2332, 2426, 2557, 2574, 2688, 3001, 3154],
        "wrong_span": [], "wrong_label": [],
        "missed": [(16, "Trump")],  # the headline "Railing Against Trump, Sanders Vows ..."
    },
}


def load(root: Path, sample: list[str]) -> list[Doc]:
    docs = []
    for i, rel in enumerate(sample):
        text = (root / "data" / rel).read_text(encoding="utf-8")
        doc = Doc(SourceFile("polnear", rel, str(root / rel), len(text), 0), f"{i:064d}", b"", 0.0)
        doc.text, doc.language = text, "en"
        docs.append(doc)
    return docs


def evaluate(docs: list[Doc], show: bool) -> tuple[dict[str, int], list]:
    """Counts over the judged mentions of `docs`, and what the judgements do not cover."""
    tot = {"articles": len(docs), "mentions": 0, "wrong_span": 0, "wrong_label": 0, "missed": 0}
    unjudged = []
    for d in docs:
        rel = d.source.source_path
        j = JUDGED.get(rel, {"checked": [], "wrong_span": [], "wrong_label": [], "missed": []})
        if show:
            print(f"\n== {rel}")
            for m in d.mentions:
                print(f"  {m.start:5d} {m.label:7s} {m.text!r:40s} -> {m.name}")
        checked = set(j["checked"])
        for m in d.mentions:
            if m.start not in checked:
                unjudged.append((rel, m.start, m.text, m.label))
                continue
            tot["mentions"] += 1
            tot["wrong_span"] += (m.start, m.text, m.label) in {tuple(x) for x in j["wrong_span"]}
            tot["wrong_label"] += (m.start, m.text, m.label) in {tuple(x) for x in j["wrong_label"]}
        for start, text in j["missed"]:
            if any(m.start <= start < m.end for m in d.mentions):
                unjudged.append((rel, start, text, "found now: judge it and drop it from missed"))
            else:
                tot["missed"] += 1
    return tot, unjudged


def table(name: str, tot: dict[str, int]) -> str:
    right_span = tot["mentions"] - tot["wrong_span"]
    right = right_span - tot["wrong_label"]
    lines = [f"{name}: {tot['articles']} articles, {tot['mentions']} mentions judged, wrong span "
             f"{tot['wrong_span']}, right span wrong label {tot['wrong_label']}, missed {tot['missed']}",
             "| | precision | recall | F1 |", "|---|---|---|---|"]
    for kind, tp in (("strict (span and label)", right), ("lenient (span)", right_span)):
        gold = right_span + tot["missed"]  # every real entity: found (right span) or missed
        p = tp / tot["mentions"] if tot["mentions"] else 0.0
        r = tp / gold if gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(f"| {kind} | {p:.2f} | {r:.2f} | {f:.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", type=Path, default=DEFAULT)
    ap.add_argument("--show", action="store_true", help="print every mention for checking by eye")
    args = ap.parse_args()
    every = {"articles": 0, "mentions": 0, "wrong_span": 0, "wrong_label": 0, "missed": 0}
    for name, sample in SAMPLES.items():
        # each sample is one batch, as a run would see it (cross-document linking inside the sample only)
        docs, _ = analyse(load(args.polnear, sample), NlpOptions())
        docs, _ = extract_entities(docs)
        tot, unjudged = evaluate(docs, args.show)
        print("\n" + table(name, tot))
        for u in unjudged:
            print("  not judged (excluded from the figures):", *u)
        every = {k: every[k] + tot[k] for k in every}
    print("\n" + table("both samples", every))


if __name__ == "__main__":
    main()
