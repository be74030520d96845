"""Reject and paragraph-removal reason codes: snake_case constants, one place."""

# File-level rejects (rejects.reason)
EMPTY_FILE = "empty_file"
BINARY_FILE = "binary_file"
UNDECODABLE = "undecodable"
CORRUPT_GZIP = "corrupt_gzip"
UNSUPPORTED_TYPE = "unsupported_type"
UNREADABLE = "unreadable"
TOO_LARGE = "too_large"
OUTSIDE_INPUT_ROOT = "outside_input_root"
DUPLICATE_CONTENT = "duplicate_content"
EMPTY_AFTER_CLEANING = "empty_after_cleaning"
EXTRACTION_FAILED = "extraction_failed"
STAGE_ERROR = "stage_error"

# Paragraph removals (paragraphs.reason)
TITLE = "title"
DUPLICATE_TITLE = "duplicate_title"
BYLINE = "byline"
DATELINE = "dateline"
SOURCE_URL = "source_url"
BOILERPLATE_PHRASE = "boilerplate_phrase"
CAPTION = "caption"
DUPLICATE_PARAGRAPH = "duplicate_paragraph"
EXTRACTION_TIMEOUT = "extraction_timeout"  # trafilatura took longer than the per-document limit
LOW_CONTENT = "low_content"  # block features (length, stopwords, context) say navigation, not prose
OUTSIDE_MAIN_TEXT = "outside_main_text"  # good-looking prose away from the article's main run of blocks
TEMPLATE = "template"  # the same paragraph in many documents of the batch
FOREIGN_LANGUAGE = "foreign_language"  # paragraph language differs from the document's
