"""`newsflow inspect`: run the stages over a few files, without Prefect or a warehouse, and show what each decided.

The stages are the same pure batch functions the flow's tasks wrap, in the same order, so what inspect shows
is what a run would write.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from tasks.boilerplate import clean_docs
from tasks.decode import decode_docs
from tasks.entities import extract_entities
from tasks.ingest import read_source
from tasks.language import language_docs
from tasks.nlp import NlpOptions, analyse
from tasks.normalise import normalise_docs
from tasks.quotes import quote_docs
from tasks.records import Doc, Reject, SourceFile


def _source(path: Path) -> SourceFile:
    st = path.stat()
    return SourceFile(path.parent.name, path.name, str(path), st.st_size, st.st_mtime_ns)


def _reject(r: Reject) -> dict:
    return {"path": r.source.abs_path, "reject": {"reason": r.reason, "detail": r.detail}}


def _document(d: Doc) -> dict:
    return {
        "path": d.source.abs_path,
        "doc_id": d.doc_id,
        "encoding": d.encoding,
        "repairs": d.repairs,
        "language": d.language,
        "language_prob": d.language_prob,
        "title": d.title,
        "byline": d.byline,
        "published": d.published.isoformat() if d.published else None,
        "url": d.url,
        "site_name": d.site_name,
        "text": d.text,
        "paragraphs": [asdict(p) for p in d.paragraphs],
        "mentions": [asdict(m) for m in d.mentions],
        "quotes": [asdict(q) for q in d.quotes],
    }


def inspect_files(paths: list[Path], max_bytes: int, nlp: NlpOptions = NlpOptions()) -> list[dict]:
    """Run every stage over the files as one batch; one dict per file, in the order given.

    A file that any stage rejects gives {"path", "reject": {"reason", "detail"}} instead of its fields.
    """
    results: dict[str, dict] = {}
    docs: list[Doc] = []
    for path in paths:
        got = read_source(_source(path), None, max_bytes)
        if isinstance(got, Reject):
            results[str(path)] = _reject(got)
        else:
            docs.append(got)
    for stage in (decode_docs, clean_docs, normalise_docs, language_docs,
                  lambda ds: analyse(ds, nlp), extract_entities, quote_docs):
        docs, rejects = stage(docs)
        results.update({r.source.abs_path: _reject(r) for r in rejects})
    results.update({d.source.abs_path: _document(d) for d in docs})
    return [results[str(p)] for p in paths]
