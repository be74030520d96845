"""Normalise: Unicode NFC, invisible and odd spaces, stray tags, and every language's quote marks to one style.

The convention in `documents.text` (documented in the README):
- double quotes of every language („…“ “…” «…» »…« "…" ”…”) become “…” (U+201C … U+201D);
- single quotes (‚…‘ ‘…’ ‹…› '…') become ‘…’ (U+2018 … U+2019);
- an apostrophe inside or at the end of a word (Russia’s, don't, Jones') becomes ’ (U+2019).
Each mark maps to exactly one character, so quote normalisation never moves an offset.
"""

from __future__ import annotations

import re
import unicodedata

from tasks import reasons
from tasks.records import Doc, Reject, RejectError, run_per_doc

OPEN_D, CLOSE_D, OPEN_S, CLOSE_S = "\u201c", "\u201d", "\u2018", "\u2019"

_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_STRAY_TAG = re.compile(r"</?(?:u|b|i|em|strong|span|a|p|br|font|small|sup|sub)\b[^<>]{0,200}>", re.I)
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
_LIGATURE_RE = re.compile("[" + "".join(_LIGATURES) + "]")
_MULTISPACE = re.compile(r" {2,}")

# opening mark -> the marks that may close it
_DOUBLE_PAIRS = {
    "\u201e": "\u201c\u201d\"", "\u00ab": "\u00bb", "\u00bb": "\u00ab", "\u201c": "\u201d\"", '"': '"\u201d\u201c',
    "\u201d": "\u201d",
}
_SINGLE_PAIRS = {"\u201a": "\u2018\u2019", "\u2039": "\u203a", "\u203a": "\u2039", "\u2018": "\u2019'", "'": "'\u2019"}
_DOUBLES = set("\u201e\u201c\u201d\u00ab\u00bb\"")
_SINGLES = set("\u201a\u2018\u2019\u2039\u203a'")


def normalise_text(text: str) -> str:
    """NFC; spaces of every width to one space; zero-width characters, soft hyphens, control characters and
    stray inline HTML tags removed; ligatures split; then `normalise_quotes`. Keeps newlines."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROL.sub("", text)
    text = _STRAY_TAG.sub("", text)
    text = _LIGATURE_RE.sub(lambda m: _LIGATURES[m.group(0)], text)
    text = "\n".join(_MULTISPACE.sub(" ", line).strip() for line in text.split("\n"))
    return normalise_quotes(text)


def _word_char(c: str) -> bool:
    return c.isalnum()


def normalise_quotes(text: str) -> str:
    """Map every quote mark to the convention above, pairing opening and closing marks by type.

    A mark is an opener when it starts a word (nothing but space, an opening bracket or a dash before it, a
    non-space after it) and a closer otherwise; a German „ or a guillemet fixes which marks may close it, so
    „…“ and »…« pair correctly although “ and » open quotes in other languages. Apostrophes between letters
    (and after a word-final s) stay apostrophes. Length is preserved.
    """
    out = list(text)
    open_double: str | None = None
    open_single: str | None = None
    n = len(text)
    for i, c in enumerate(text):
        if c not in _DOUBLES and c not in _SINGLES:
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        starts_word = (prev.isspace() or prev in "([{—–-/" or i == 0) and not nxt.isspace()
        if c in _DOUBLES:
            if open_double is not None and c in _DOUBLE_PAIRS.get(open_double, ""):
                out[i], open_double = CLOSE_D, None
            elif starts_word or (c in "\u201e\u00ab\u201c" and (nxt.isalnum() or nxt in "…([")):
                out[i], open_double = OPEN_D, c
            else:  # a closing mark of another type still ends the open quote: a ” in the output always closes
                out[i], open_double = CLOSE_D, None
        else:
            if _word_char(prev) and (_word_char(nxt) or (prev in "sS" and open_single is None)):
                out[i] = CLOSE_S  # apostrophe: Russia’s, don’t, Jones’
            elif open_single is not None and c in _SINGLE_PAIRS.get(open_single, ""):
                out[i], open_single = CLOSE_S, None
            elif starts_word and c != "\u2019":
                out[i], open_single = OPEN_S, c
            else:
                out[i], open_single = CLOSE_S, None
    return "".join(out)


def normalise_doc(doc: Doc) -> None:
    """Normalise every paragraph of a document in place and assemble `doc.text` from the kept ones.

    Raises RejectError(empty_after_cleaning) when no text is left."""
    for p in doc.paragraphs:
        p.text = normalise_text(p.text).replace("\n", " ")
    doc.title = normalise_text(doc.title) if doc.title else doc.title
    doc.byline = normalise_text(doc.byline) if doc.byline else doc.byline
    doc.paragraphs = [p for p in doc.paragraphs if p.text]
    doc.text = "\n\n".join(p.text for p in doc.paragraphs if p.kept)
    if not doc.text.strip():
        raise RejectError(reasons.EMPTY_AFTER_CLEANING, "no text left after normalisation")


def normalise_docs(docs: list[Doc]) -> tuple[list[Doc], list[Reject]]:
    """Normalise a batch; a document whose kept text normalises to nothing becomes a reject."""
    return run_per_doc(docs, normalise_doc, "normalise")
