"""Entities through the real pipeline (`newsflow` CLI, spaCy, DuckDB): the seed gold, and ids that stay put when
a later batch brings new spellings, a German article, or a forced backfill."""

import json
import re
import shutil
from collections import defaultdict

import pytest

from .conftest import GOLD, SAMPLE

SEEDS = "2025-03-20"
# share of the gold's surface forms occurring in the seeds that some mention carries (measured: see below)
MIN_FORMS_FOUND = 0.95
LATER = "2025-03-21"
# A later day's articles, written for this test (not seed text): new spellings of people and places the seeds
# name, a surname alone, and a German article, which no model analyses.
LATER_EN = "\n\n".join([
    "Zelenskiy says talks must go on",
    "Ukrainian President Volodymyr Zelenskiy said on Friday that talks with the United States would continue next "
    "week in Saudi Arabia, a day after air raid sirens sounded across Kiev for most of the night.",
    "Ukraine was ready to stop strikes on energy sites for thirty days if Russia did the same, Zelenskiy told "
    "reporters, but his country had seen no sign of that so far from the other side.",
    "Putin has not commented on the proposal, and officials in Moscow said on Friday that the details still had to "
    "be worked out by the technical teams of both countries before anything could be signed.",
])
LATER_DE = "\n\n".join([
    "Selenskyj will weiter verhandeln",
    "Der ukrainische Präsident Wolodymyr Selenskyj hat am Freitag in Kiew gesagt, die Gespräche mit den "
    "Vereinigten Staaten würden in der kommenden Woche fortgesetzt. In der Nacht hatte es in der ganzen Stadt "
    "Luftalarm gegeben.",
    "Kremlchef Wladimir Putin äußerte sich zunächst nicht. Putins Sprecher sagte in Moskau, die Einzelheiten "
    "müssten erst von den Fachleuten beider Seiten geklärt werden, bevor etwas unterschrieben werden könne.",
    "Donald Trump hatte nach dem Telefonat mit Putin von einem guten Gespräch gesprochen. Beobachter in Berlin "
    "und Brüssel blieben aber skeptisch, ob die Waffenruhe für Energieanlagen tatsächlich halten werde.",
])


def sql(cli, wh, query):
    return json.loads(cli("sql", query, "--warehouse", wh, "--format", "json").stdout)


def entities(cli, wh) -> dict[str, dict]:
    return {r["entity_id"]: r for r in sql(cli, wh, "select * from entities")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, newsflow_cli):
    """The warehouse's entities after the seeds, after a later batch, and after a forced backfill of the seeds."""
    base = tmp_path_factory.mktemp("entities")
    inp, wh = base / "input", base / "wh"
    shutil.copytree(SAMPLE / SEEDS, inp / SEEDS)
    newsflow_cli("run", inp, "--warehouse", wh, "--quiet")
    first = entities(newsflow_cli, wh)
    seed_docs = sql(newsflow_cli, wh, "select doc_id, text from documents")
    seed_mentions = sql(newsflow_cli, wh, 'select doc_id, entity_id, start, "end" from mentions')
    (inp / LATER).mkdir()
    (inp / LATER / "en.txt").write_text(LATER_EN, encoding="utf-8")
    (inp / LATER / "de.txt").write_text(LATER_DE, encoding="utf-8")
    newsflow_cli("run", inp, "--warehouse", wh, "--quiet")
    second = entities(newsflow_cli, wh)
    later = sql(newsflow_cli, wh, f"""
        select d.language, m.text, m.entity_id, m.name from mentions m join documents d using (doc_id)
        where d.batch = '{LATER}'""")
    newsflow_cli("backfill", inp / SEEDS, "--warehouse", wh, "--force", "--quiet")
    third = entities(newsflow_cli, wh)
    return {"first": first, "second": second, "third": third, "docs": seed_docs, "mentions": seed_mentions,
            "later": later}


def _occurrence_ids(docs, mentions, form):
    """Entity ids of the mentions that end where `form` ends in the text (a possessive "’s" allowed): "Trump"
    inside "President Donald Trump" is carried by that mention. None when the form does not occur."""
    ends = defaultdict(set)
    for m in mentions:
        ends[(m["doc_id"], m["end"])].add(m["entity_id"])
    occurs, ids = False, set()
    for d in docs:
        for hit in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", d["text"]):
            occurs = True
            for end in (hit.end(), hit.end() + 2):
                ids |= ends.get((d["doc_id"], end), set())
    return ids if occurs else None


def test_seed_surface_forms_map_to_one_entity_per_canonical_name(runs):
    gold = [json.loads(line) for line in (GOLD / "seed_entities.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    owner: dict[str, str] = {}
    problems, missed = [], []
    n_forms = 0
    for g in gold:
        ids_of_name = set()
        for form in g["surface_forms"]:
            ids = _occurrence_ids(runs["docs"], runs["mentions"], form)
            if ids is None:
                continue
            n_forms += 1
            if not ids:
                missed.append(form)
            ids_of_name |= ids
        if len(ids_of_name) > 1:
            names = sorted(runs["first"][i]["name"] for i in ids_of_name)
            problems.append(f"{g['canonical']} is split over {names}")
        for i in ids_of_name:
            if owner.setdefault(i, g["canonical"]) != g["canonical"]:
                problems.append(f"{g['canonical']} and {owner[i]} share entity {runs['first'][i]['name']}")
    assert n_forms >= 30, "the gold's forms should occur in the seeds"
    assert not problems, "\n".join(problems)
    # NER recall over the gold's forms: spaCy's small model misses some ("the Kursk region": 1 of 39 forms
    # when this floor was set); a drop below the floor is a regression
    assert n_forms - len(missed) >= MIN_FORMS_FOUND * n_forms, f"forms no mention carries: {missed}"


def test_ids_do_not_churn_when_new_spellings_arrive(runs):
    first, second = runs["first"], runs["second"]
    assert set(first) <= set(second)
    assert all(second[i]["name"] == first[i]["name"] for i in first)
    by_name = {r["name"]: i for i, r in first.items()}
    zelensky = next(i for i, r in first.items() if r["label"] == "PERSON" and "zelensk" in r["name"].lower())
    later_en = {(m["text"], m["entity_id"]) for m in runs["later"] if m["language"] == "en"}
    assert ("Zelenskiy", zelensky) in later_en and ("Volodymyr Zelenskiy", zelensky) in later_en
    assert ("Kiev", by_name["Kyiv"]) in later_en
    assert ("Putin", by_name["Vladimir Putin"]) in later_en
    assert "Zelenskiy" in second[zelensky]["aliases"] and "Kiev" in second[by_name["Kyiv"]]["aliases"]
    assert second[zelensky]["n_mentions"] > first[zelensky]["n_mentions"]
    # both later articles name him: the English one as "Zelenskiy", the German one as "Selenskyj"
    assert second[zelensky]["n_docs"] == first[zelensky]["n_docs"] + 2


def test_german_article_links_known_entities_by_gazetteer(runs):
    first = runs["first"]
    by_name = {r["name"]: i for i, r in first.items()}
    de = {(m["text"], m["entity_id"]) for m in runs["later"] if m["language"] == "de"}
    zelensky = next(i for i, r in first.items() if r["label"] == "PERSON" and "zelensk" in r["name"].lower())
    assert {("Wladimir Putin", by_name["Vladimir Putin"]), ("Putins", by_name["Vladimir Putin"]),
            ("Putin", by_name["Vladimir Putin"]), ("Kiew", by_name["Kyiv"]), ("Moskau", by_name["Moscow"]),
            ("Donald Trump", by_name["Donald Trump"]), ("Wolodymyr Selenskyj", zelensky)} <= de
    assert all(i in runs["second"] for _, i in de)


def test_forced_backfill_keeps_ids_and_counts(runs):
    keep = {i: (r["name"], r["n_mentions"]) for i, r in runs["second"].items()}
    assert {i: (r["name"], r["n_mentions"]) for i, r in runs["third"].items()} == keep


def test_one_run_over_two_batches_links_across_them(tmp_path, newsflow_cli):
    inp, wh = tmp_path / "input", tmp_path / "wh"
    shutil.copytree(SAMPLE / SEEDS, inp / SEEDS)
    (inp / LATER).mkdir()
    (inp / LATER / "en.txt").write_text(LATER_EN, encoding="utf-8")
    newsflow_cli("run", inp, "--warehouse", wh, "--quiet")
    putin = sql(newsflow_cli, wh, "select distinct entity_id, name from mentions where text like '%Putin'")
    assert len(putin) == 1 and putin[0]["name"] == "Vladimir Putin"
