"""The plain values that travel between stages: a file found on disk, a document, a reject."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class SourceFile:
    """A file found under an input folder, not yet read."""

    batch: str
    source_path: str  # relative to the input root, '/'-separated
    abs_path: str
    size: int
    mtime_ns: int


@dataclass
class Paragraph:
    idx: int
    text: str
    kept: bool = True
    reason: str | None = None
    language: str = "und"


@dataclass
class Mention:
    text: str
    label: str
    start: int
    end: int
    name: str = ""  # canonical name, filled by canonicalisation
    entity_id: str = ""


@dataclass
class Quote:
    text: str
    start: int
    end: int
    kind: str
    speaker: str | None = None
    speaker_entity_id: str | None = None
    speaker_mention: str | None = None
    cue: str | None = None
    reported_speaker: str | None = None  # "“…,” X said, according to Y": X (the speaker is Y)
    quote_key: str | None = None  # the words, folded: the same quote in other outlets has the same key
    mark: str = "d"  # "d" (“…”) or "s" (‘…’); in memory only
    paragraph: int | None = None  # index of the paragraph in documents.text; in memory only


@dataclass
class Doc:
    """One document as it moves through the stages; each stage fills its own fields."""

    source: SourceFile
    content_sha256: str
    data: bytes  # the file's bytes after gunzip; dropped once decoded
    ingested_at: float
    encoding: str | None = None
    repairs: list[str] = field(default_factory=list)
    content: str = ""  # the decoded file (HTML or plain text); dropped once cleaned
    raw_text: str = ""  # the text before normalisation: the plain-text file, or trafilatura's output
    title: str | None = None
    byline: str | None = None
    published: date | None = None
    url: str | None = None
    site_name: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    text: str = ""
    language: str = "und"
    language_prob: float = 0.0
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    analysis: Any = None  # the spaCy Doc of `text` (tasks/nlp.py); in memory only, never written

    @property
    def doc_id(self) -> str:
        return self.content_sha256[:16]


@dataclass(frozen=True)
class Reject:
    source: SourceFile
    reason: str
    detail: str
    content_sha256: str = ""


class RejectError(Exception):
    """Raised by a stage's pure function when a document cannot go on; the stage's task turns it into a Reject."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def run_per_doc(docs: list[Doc], fn, stage: str) -> tuple[list[Doc], list[Reject]]:
    """Apply `fn(doc)` (which updates the doc in place) to each document; one document's failure never stops
    the batch: a RejectError becomes a Reject with its reason, any other exception a `stage_error` Reject."""
    ok: list[Doc] = []
    rejects: list[Reject] = []
    for doc in docs:
        try:
            fn(doc)
        except RejectError as exc:
            rejects.append(Reject(doc.source, exc.reason, exc.detail, doc.content_sha256))
            continue
        except Exception as exc:  # noqa: BLE001 - the boundary where a document's bug becomes a reject
            rejects.append(Reject(doc.source, "stage_error", f"{stage}: {type(exc).__name__}: {exc}"[:500],
                                  doc.content_sha256))
            continue
        ok.append(doc)
    return ok, rejects
