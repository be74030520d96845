"""newsflow: a batch ETL pipeline for news articles (see README)."""

__version__ = "0.1.0"
