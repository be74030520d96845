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
EXTRACTION_TIMEOUT = "extraction_timeout"  # trafilatura took longer than the per-document limit
NOT_AN_ARTICLE = "not_an_article"  # a section or index page of a site whose articles say they are (tasks/pagetype.py)
STAGE_ERROR = "stage_error"  # a bug in a stage, caught for that one document

FILE_REJECTS = (
    EMPTY_FILE, BINARY_FILE, UNDECODABLE, CORRUPT_GZIP, UNSUPPORTED_TYPE, UNREADABLE, TOO_LARGE,
    OUTSIDE_INPUT_ROOT, DUPLICATE_CONTENT, EMPTY_AFTER_CLEANING, EXTRACTION_TIMEOUT, NOT_AN_ARTICLE, STAGE_ERROR,
)

# Paragraph removals (paragraphs.reason); the phrase categories of data/boilerplate_phrases.json
# (comment_form, donation_appeal, related_link, ...) are reasons too.
TITLE = "title"
DUPLICATE_TITLE = "duplicate_title"
BYLINE = "byline"
DATELINE = "dateline"
SOURCE_URL = "source_url"
CAPTION = "caption"
ADVERTISEMENT = "advertisement"  # text in look-alike letters, written to get past ad filters
LOW_CONTENT = "low_content"  # block features (length, stopwords, context) say navigation, not prose
TEMPLATE = "template"  # the same paragraph in many documents of the batch
FOREIGN_LANGUAGE = "foreign_language"  # paragraph language differs from the document's
