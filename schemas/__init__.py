"""Every warehouse table's pyarrow schema, declared once.

Writers pass these explicitly (`pa.Table.from_pylist(rows, schema=...)` is the row check), the DuckDB base
views are generated from them, and a test compares the views with them.
"""

from __future__ import annotations

import pyarrow as pa


def _f(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


_str = pa.string()
_VERSION_DOC = "newsflow version that wrote the row (null in rows written before this column existed)."
_ts = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema(
    [
        _f("doc_id", _str, "Stable id: first 16 hex digits of content_sha256.", False),
        _f("source_path", _str, "Path of the file relative to the input root.", False),
        _f("batch", _str, "Batch name: the input sub-folder the file came from.", False),
        _f("content_sha256", _str, "sha256 of the file's bytes as read (after gunzip).", False),
        _f("run_id", _str, "The run that wrote this row.", False),
        _f("ingested_at", _ts, "When the file was read.", False),
        _f("encoding", _str, "Encoding used to decode the bytes."),
        _f("repairs", pa.list_(_str), "Repairs applied while decoding (e.g. mojibake fixed by ftfy)."),
        _f("language", _str, "ISO 639-1 code from langdetect, or 'und' when undecidable."),
        _f("language_prob", pa.float64(), "langdetect's probability for `language`."),
        _f("title", _str, "Title from HTML metadata or the first heading line."),
        _f("byline", _str, "Author or agency credit."),
        _f("published", pa.date32(), "Publication date when the page states one."),
        _f("url", _str, "Source URL when the page states one."),
        _f("site_name", _str, "Site name from HTML metadata."),
        _f("text", _str, "Cleaned, normalised body: kept paragraphs joined by blank lines.", False),
        _f("raw_text", _str, "Decoded text before cleaning and normalisation (nothing the source said is lost)."),
        _f("n_chars", pa.int64(), "Length of `text` in characters.", False),
        _f("pipeline_version", _str, "newsflow version that produced the row.", False),
    ]
)

PARAGRAPHS = pa.schema(
    [
        _f("doc_id", _str, "Document the paragraph belongs to.", False),
        _f("idx", pa.int32(), "Position of the paragraph in the source, from 0.", False),
        _f("text", _str, "Paragraph text, normalised.", False),
        _f("language", _str, "Paragraph language, 'und' when too short to judge."),
        _f("kept", pa.bool_(), "True when the paragraph is part of documents.text.", False),
        _f("reason", _str, "Why the paragraph was removed (snake_case code); null when kept."),
        _f("pipeline_version", _str, _VERSION_DOC),
    ]
)

MENTIONS = pa.schema(
    [
        _f("doc_id", _str, "Document of the mention.", False),
        _f("entity_id", _str, "Canonical entity (entities.entity_id).", False),
        _f("text", _str, "The mention as written.", False),
        _f("name", _str, "Canonical name of the entity.", False),
        _f("label", _str, "spaCy label: PERSON, ORG, GPE, ...", False),
        _f("start", pa.int32(), "Character offset of the mention in documents.text.", False),
        _f("end", pa.int32(), "End offset (exclusive) in documents.text.", False),
        _f("pipeline_version", _str, _VERSION_DOC),
    ]
)

ENTITIES = pa.schema(
    [
        _f("entity_id", _str, "Stable id derived from the label and canonical key.", False),
        _f("name", _str, "Canonical name.", False),
        _f("label", _str, "spaCy label.", False),
        _f("aliases", pa.list_(_str), "Surface forms seen, sorted.", False),
        _f("n_mentions", pa.int64(), "Mentions across the warehouse.", False),
        _f("n_docs", pa.int64(), "Documents that mention the entity.", False),
    ]
)

QUOTES = pa.schema(
    [
        _f("quote_id", _str, "Stable id: doc_id and offsets hashed.", False),
        _f("doc_id", _str, "Document of the quote.", False),
        _f("text", _str, "Text inside the quote marks.", False),
        _f("start", pa.int32(), "Offset of the quoted text in documents.text.", False),
        _f("end", pa.int32(), "End offset (exclusive) of the quoted text.", False),
        _f("speaker", _str, "Canonical name of the speaker."),
        _f("speaker_entity_id", _str, "entities.entity_id of the speaker."),
        _f("speaker_mention", _str, "Words in the text that name the speaker."),
        _f("cue", _str, "Verb of saying."),
        _f("reported_speaker", _str, "Who the report says spoke, when the speaker is the report's source "
           "('\u201c\u2026,\u201d X said, according to Y': speaker Y, reported_speaker X); canonical name, else "
           "the words in the text."),
        _f("kind", _str, "'full' (a clause or more) or 'partial' (a fragment).", False),
        _f("quote_key", _str, "The quote's words, ASCII-folded and lower-cased (the same quote across outlets)."),
        _f("pipeline_version", _str, _VERSION_DOC),
    ]
)

RUNS = pa.schema(
    [
        _f("run_id", _str, "Prefect flow run id; noop-<uuid> for a run that found nothing new (no flow).", False),
        _f("flow", _str, "Flow name: nightly or backfill.", False),
        _f("started_at", _ts, "Start time.", False),
        _f("finished_at", _ts, "End time; null while running or when killed."),
        _f("status", _str, "running, completed or failed.", False),
        _f("params", _str, "Flow parameters as JSON text.", False),
        _f("n_files_seen", pa.int64(), "Files found under the inputs."),
        _f("n_files_new", pa.int64(), "Files not processed before."),
        _f("n_documents", pa.int64(), "Documents written."),
        _f("n_rejects", pa.int64(), "Rejects written."),
        _f("pipeline_version", _str, "newsflow version.", False),
    ]
)

REJECTS = pa.schema(
    [
        _f("run_id", _str, "Run that rejected the file.", False),
        _f("source_path", _str, "Path relative to the input root.", False),
        _f("batch", _str, "Batch name.", False),
        _f("reason", _str, "snake_case reason code (see tasks.reasons).", False),
        _f("detail", _str, "Human-readable detail."),
        _f("rejected_at", _ts, "When.", False),
        _f("pipeline_version", _str, _VERSION_DOC),
    ]
)

# The ingest ledger: one row per file version seen. It is written last for a batch, so a file counts as
# processed only once every other table of its batch holds its rows (a killed run is simply redone).
FILES = pa.schema(
    [
        _f("batch", _str, "Batch name.", False),
        _f("source_path", _str, "Path relative to the input root.", False),
        _f("size", pa.int64(), "File size in bytes on disk.", False),
        _f("mtime_ns", pa.int64(), "Modification time; with size, lets a no-op run skip re-reading.", False),
        _f("content_sha256", _str, "sha256 of the content.", False),
        _f("doc_id", _str, "Document written for it; null when rejected."),
        _f("outcome", _str, "'document' or the reject reason.", False),
        _f("run_id", _str, "Run that processed it.", False),
        _f("pipeline_version", _str, _VERSION_DOC),
    ]
)

# Tables partitioned by batch (one Parquet file per batch) and global tables (one file each).
BATCH_TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "paragraphs": PARAGRAPHS,
    "mentions": MENTIONS,
    "quotes": QUOTES,
    "rejects": REJECTS,
    "files": FILES,
}
GLOBAL_TABLES: dict[str, pa.Schema] = {"entities": ENTITIES, "runs": RUNS}
ALL_TABLES: dict[str, pa.Schema] = {**BATCH_TABLES, **GLOBAL_TABLES}

# Syndication and stories (tasks/dedup.py, tasks/stories.py): one file per batch of the documents they describe,
# written once per document by `update_clusters` after a run's batches (never rewritten, so ids stay stable).
SIGNATURES = pa.schema(
    [
        _f("doc_id", _str, "Document.", False),
        _f("batch", _str, "Batch of the document.", False),
        _f("day", pa.date32(), "Day it counts for: published, else the batch's date, else ingest day.", False),
        _f("text_hash", _str, "sha256 of the case-folded words of documents.text (exact duplicates share it).", False),
        _f("n_shingles", pa.int64(), "Distinct word 5-shingles of the text.", False),
        _f("minhash", _str, "MinHash of the shingles: 128 values, 16 hex digits each, concatenated.", False),
        _f("entities", pa.list_(_str), "The document's most mentioned entity ids (at most 10).", False),
        _f("keywords", pa.list_(_str), "The document's most frequent content words (at most 20).", False),
    ]
)

SYNDICATION = pa.schema(
    [
        _f("doc_id", _str, "Document.", False),
        _f("batch", _str, "Batch of the document.", False),
        _f("group_id", _str, "Syndication group: doc_id of the document that founded it.", False),
        _f("matched_doc_id", _str, "The earlier document it was found to copy; null for a group's founder."),
        _f("similarity", pa.float64(), "Estimated Jaccard similarity of shingles with matched_doc_id (1 when exact).",
           False),
        _f("method", _str, "'exact' (same words), 'near' (MinHash containment) or 'self' (founder).", False),
    ]
)

STORIES = pa.schema(
    [
        _f("doc_id", _str, "Document.", False),
        _f("batch", _str, "Batch of the document.", False),
        _f("story_id", _str, "Story: doc_id of the document that started it.", False),
        _f("matched_doc_id", _str, "The document it was linked to; null for a story's first document."),
        _f("score", pa.float64(), "Link score with matched_doc_id (see tasks/stories.py); 1 for the first.", False),
    ]
)

BATCH_TABLES.update({"signatures": SIGNATURES, "syndication": SYNDICATION, "stories": STORIES})
ALL_TABLES.update({"signatures": SIGNATURES, "syndication": SYNDICATION, "stories": STORIES})
