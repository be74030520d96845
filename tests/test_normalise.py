import pytest

from tasks.normalise import normalise_quotes, normalise_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("„It must end NOW,“ he wrote.", "“It must end NOW,” he wrote."),
        ("not „ready“ for peace", "not “ready” for peace"),
        ("«Nous refusons» a-t-il dit", "“Nous refusons” a-t-il dit"),
        ("»Das ist falsch«, sagte sie", "“Das ist falsch”, sagte sie"),
        ('He said "yes" twice', "He said “yes” twice"),
        ("“Already curly,” she said", "“Already curly,” she said"),
        ("er sagte ‚nein‘ dazu", "er sagte ‘nein’ dazu"),
        ("the ‹petit› mot", "the ‘petit’ mot"),
        ("Russia's war, don't go, Jones' car", "Russia’s war, don’t go, Jones’ car"),
        ("‘Western dominance,’ he said", "‘Western dominance,’ he said"),
        ("Ryan said,“Look, they’ve got", "Ryan said,“Look, they’ve got"),  # “ before a word opens, space or not
        ("native-born.”“Your facts are wrong,” Ramos wrote.", "native-born.”“Your facts are wrong,” Ramos wrote."),
        ("«a .\" »b", "“a .” “b"),  # a closing mark of another type ends the open quote; » then opens again
    ],
)
def test_quote_marks_to_one_convention(raw, expected):
    assert normalise_quotes(raw) == expected


@pytest.mark.parametrize("raw", ["0«0", "«a .\" »0", "„Ja“, sagte er. «Non» 'x' ‚y‘", "“— a“ ”0", "Ende“, sagte sie"])
def test_quote_normalisation_is_idempotent(raw):
    once = normalise_quotes(raw)
    assert normalise_quotes(once) == once


def test_quote_normalisation_keeps_length():
    raw = "„a“ «b» »c« \"d\" ‚e‘ 'f' it's"
    assert len(normalise_quotes(raw)) == len(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a\u00a0b", "a b"),
        ("zero\u200bwidth", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("<u>Underlined</u> link", "Underlined link"),
        ("ﬁnal ﬂow", "final flow"),
        ("Cafe\u0301", "Café"),
        ("  many   spaces  ", "many spaces"),
        ("bell\x07char", "bellchar"),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected
