"""Syndication groups: normalisation, MinHash estimates, LSH candidates and incremental, stable assignment."""

from __future__ import annotations

import random
from datetime import date, datetime

import numpy as np
import pytest

from tasks.dedup import (
    BANDS,
    CONTAINMENT_MIN,
    NUM_PERM,
    assign_groups,
    band_keys,
    containment,
    decode_minhash,
    encode_minhash,
    event_day,
    jaccard,
    minhash,
    shingle_hashes,
    shingles,
    signature,
    text_words,
)

_VOCAB = [f"w{i}" for i in range(5000)]


def _article(seed: int, n_paragraphs: int = 8, words: int = 40) -> str:
    """A synthetic article: paragraphs of words drawn from a large vocabulary (unrelated seeds share ~nothing)."""
    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(_VOCAB) for _ in range(words)) + "." for _ in range(n_paragraphs))


@pytest.mark.parametrize(
    "a, b",
    [
        ("„Wir sind bereit“, sagte er.", "\u201cWir sind bereit,\u201d sagte er."),
        ("«Nous sommes prêts», a-t-il dit", '"Nous sommes prêts" a-t-il dit'),
        ("He said: ‘It’s DONE’.", "he said it's done"),
    ],
)
def test_quote_styles_case_and_punctuation_do_not_change_the_words(a, b):
    assert text_words(a) == text_words(b)
    assert signature("x", a, date(2025, 1, 1)).text_hash == signature("y", b, date(2025, 1, 1)).text_hash


def test_short_texts_are_one_shingle_and_empty_has_none():
    assert shingles(["a", "b"]) == {"a b"}
    assert shingles([]) == set()
    assert len(shingles(list("abcdefg"))) == 3


def test_shingle_hashes_are_the_distinct_shingles():
    words = text_words(_article(1, 10))
    assert shingle_hashes(words).size == len(shingles(words))
    assert shingle_hashes(["a", "b"]).size == 1 and shingle_hashes([]).size == 0
    assert shingle_hashes(list("abcdef"))[0] != shingle_hashes(list("bacdef"))[0]  # word order matters


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_minhash_estimates_jaccard(seed):
    words = text_words(_article(seed, 10))
    other = words[: len(words) * 2 // 3] + text_words(_article(seed + 100, 4))
    a, b = shingles(words), shingles(other)
    exact = len(a & b) / len(a | b)
    ma, mb = minhash(shingle_hashes(words)), minhash(shingle_hashes(other))
    assert abs(jaccard(ma, mb) - exact) < 0.12  # 128 permutations: std ~0.045 here
    assert jaccard(ma, ma) == 1.0
    assert jaccard(ma, minhash(shingle_hashes(text_words(_article(seed + 200))))) < 0.05


def test_signature_round_trips_through_its_text_form():
    sig = minhash(shingle_hashes(text_words(_article(4))))
    assert sig.shape == (NUM_PERM,)
    assert np.array_equal(decode_minhash(encode_minhash(sig)), sig)
    assert len(encode_minhash(sig)) == NUM_PERM * 16


def test_containment_from_jaccard_and_sizes():
    # B is A's first half: |A∩B| = |B| = 50, |A ∪ B| = 100, J = 0.5 -> containment 1
    assert containment(0.5, 100, 50) == pytest.approx(1.0)
    assert containment(0.0, 100, 50) == 0.0
    assert containment(0.3, 0, 10) == 0.0


def test_band_keys_agree_exactly_when_the_band_agrees():
    sigs = np.stack([minhash(shingle_hashes(text_words(_article(s)))) for s in (5, 6)])
    keys = band_keys(np.vstack([sigs, sigs[:1]]))
    assert keys.shape == (3, BANDS)
    assert np.array_equal(keys[0], keys[2]) and not np.array_equal(keys[0], keys[1])


def test_event_day_prefers_published_then_batch_date_then_ingest_day():
    at = datetime(2026, 1, 2, 3, 4)
    assert event_day(date(2025, 3, 18), "2025-03-20", at) == date(2025, 3, 18)
    assert event_day(None, "2025-03-20", at) == date(2025, 3, 20)
    assert event_day(None, "incoming", at) == date(2026, 1, 2)


def _sig(doc_id: str, text: str, day: int):
    return signature(doc_id, text, date(2025, 3, day))


def _syndicated_copy(text: str, seed: int) -> str:
    """What a republisher does: other quote marks, a boilerplate block added, the last paragraph cut."""
    paragraphs = text.split("\n\n")[:-1]
    return "\n\n".join(["„" + paragraphs[0] + "“", *paragraphs[1:], "Teilen Sie diesen Artikel " + _article(seed, 1)])


def test_copies_join_the_group_of_their_original_and_unrelated_texts_do_not():
    original = _article(10)
    sigs = [_sig("a", original, 18), _sig("b", _syndicated_copy(original, 11), 20), _sig("c", _article(12), 19),
            _sig("d", original, 21)]
    rows = {r["doc_id"]: r for r in assign_groups([], {}, sigs)}
    assert rows["a"]["group_id"] == "a" and rows["a"]["method"] == "self"
    assert rows["b"]["group_id"] == "a" and rows["b"]["method"] == "near" and rows["b"]["matched_doc_id"] == "a"
    assert rows["c"]["group_id"] == "c"
    assert rows["d"]["group_id"] == "a" and rows["d"]["method"] == "exact" and rows["d"]["similarity"] == 1.0
    cont = containment(jaccard(sigs[0].minhash, sigs[1].minhash), sigs[0].n_shingles, sigs[1].n_shingles)
    assert cont >= CONTAINMENT_MIN


def test_a_text_sharing_one_paragraph_is_not_a_copy():
    base = _article(20)
    other = "\n\n".join([base.split("\n\n")[0], _article(21, 7)])  # one background paragraph in common
    rows = assign_groups([], {}, [_sig("a", base, 1), _sig("b", other, 2)])
    assert {r["group_id"] for r in rows} == {"a", "b"}


def test_incremental_equals_all_at_once_and_group_ids_are_stable():
    texts = {f"d{i}": _article(30 + i % 3) if i < 6 else _article(40 + i) for i in range(9)}
    sigs = [_sig(k, t, 1 + int(k[1:])) for k, t in texts.items()]
    at_once = {r["doc_id"]: r["group_id"] for r in assign_groups([], {}, sigs)}
    first = assign_groups([], {}, sigs[:4])
    groups = {r["doc_id"]: r["group_id"] for r in first}
    second = assign_groups(sigs[:4], groups, sigs[4:])
    assert {**groups, **{r["doc_id"]: r["group_id"] for r in second}} == at_once
    assert at_once["d3"] == "d0" and at_once["d4"] == "d1" and at_once["d7"] == "d7"


def test_an_older_copy_arriving_later_joins_without_renaming_the_group():
    text = _article(50)
    first = assign_groups([], {}, [_sig("new", text, 20)])
    late = assign_groups([_sig("new", text, 20)], {"new": "new"}, [_sig("old", text, 10)])
    assert first[0]["group_id"] == "new" and late[0]["group_id"] == "new"
