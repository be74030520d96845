from tasks.entities import canonicalise
from tasks.quotes import attribute, find_quotes
from tasks.records import Mention


def _mentions(text: str, names: list[tuple[str, str]]) -> list[Mention]:
    out = []
    for name, label in names:
        start = text.find(name)
        while start >= 0:
            out.append(Mention(name, label, start, start + len(name)))
            start = text.find(name, start + 1)
    return canonicalise(out)


def test_finds_full_and_partial_quotes_with_offsets():
    text = "“It must end now,” he wrote.\n\nShe said Russia was not “ready” for peace."
    qs = find_quotes(text)
    assert [(q.text, q.kind) for q in qs] == [("It must end now,", "full"), ("ready", "partial")]
    for q in qs:
        assert text[q.start : q.end] == q.text


def test_unbalanced_mark_costs_at_most_one_quote():
    text = "He said “this never closes.\n\nLater she said “this one is fine,” and left."
    assert [q.text for q in find_quotes(text)] == ["this one is fine,"]


def test_quote_running_over_paragraphs():
    text = "“First part of a long statement.\n\n“Second part,” he said."
    assert [q.text for q in find_quotes(text)] == ["First part of a long statement.", "Second part,"]


def test_apostrophes_are_not_quotes():
    assert find_quotes("Russia’s army and Ukraine’s army.") == []


def test_attribution_named_pronoun_and_continuation():
    text = (
        "Vladimir Putin met Donald Trump on Tuesday.\n\n"
        "“We had a great call,” Trump said.\n\n"
        "“It lasted almost two hours.”\n\n"
        "“We are ready,” he added.\n\n"
        "The Kremlin said the talks were “useful.”"
    )
    qs = find_quotes(text)
    attribute(text, qs, _mentions(text, [("Vladimir Putin", "PERSON"), ("Donald Trump", "PERSON"),
                                         ("Trump", "PERSON"), ("Kremlin", "ORG")]))
    got = [(q.text, q.speaker, q.cue) for q in qs]
    assert got[0] == ("We had a great call,", "Donald Trump", "said")
    assert got[1][1] == "Donald Trump"  # continuation paragraph
    assert got[2][1] == "Donald Trump" and qs[2].speaker_mention == "he"
    assert got[3][1] == "Kremlin"
