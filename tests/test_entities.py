import pytest

from tasks.entities import canonicalise, clean_name, entity_id, extract_entities, name_key
from tasks.nlp import NlpOptions, analyse
from tasks.records import Doc, Mention, SourceFile


@pytest.mark.parametrize(
    "text, label, expected",
    [
        ("President Donald Trump", "PERSON", "Donald Trump"),
        ("Trump’s", "PERSON", "Trump"),
        ("Foreign Minister Andrii Sybiha", "PERSON", "Andrii Sybiha"),
        ("Gen. Mark Milley", "PERSON", "Mark Milley"),
        ("the White House", "ORG", "White House"),
        ("the Kremlin", "ORG", "Kremlin"),
        ("President", "PERSON", "President"),
    ],
)
def test_clean_name(text, label, expected):
    assert clean_name(text, label) == expected


def test_key_folds_accents_and_case():
    assert name_key("Volodymyr  Zelenskyy") == name_key("volodymyr zelenskyy")
    assert name_key("Sébastien Lecornu") == "sebastien lecornu"


def test_short_form_links_to_full_name_in_the_document():
    ms = [Mention("Vladimir Putin", "PERSON", 0, 14), Mention("Putin", "PERSON", 30, 35),
          Mention("Trump", "ORG", 40, 45), Mention("Donald Trump", "PERSON", 50, 62)]
    out = canonicalise(ms)
    assert [m.name for m in out] == ["Vladimir Putin", "Vladimir Putin", "Donald Trump", "Donald Trump"]
    assert out[0].entity_id == out[1].entity_id == entity_id("PERSON", "vladimir putin")
    assert out[2].label == "PERSON" and out[2].entity_id == out[3].entity_id


def test_spacy_ner_runs_on_english_and_skips_other_languages():
    en = Doc(SourceFile("b", "b/en.txt", "/x", 1, 0), "1" * 64, b"", 0.0)
    en.text, en.language = "Russian President Vladimir Putin spoke with Donald Trump in Moscow on Tuesday.", "en"
    de = Doc(SourceFile("b", "b/de.txt", "/x", 1, 0), "2" * 64, b"", 0.0)
    de.text, de.language = "Wladimir Putin sprach am Dienstag mit Donald Trump.", "de"
    docs, rejects = analyse([en, de], NlpOptions())
    assert rejects == [] and de.analysis is None
    docs, rejects = extract_entities(docs)
    assert rejects == []
    names = {(m.name, m.label) for m in en.mentions}
    assert ("Vladimir Putin", "PERSON") in names and ("Moscow", "GPE") in names
    for m in en.mentions:
        assert en.text[m.start : m.end] == m.text
    assert de.mentions == []
