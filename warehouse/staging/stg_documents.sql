-- stg_documents: one row per document, with the outlet (site name, else the URL's host, else the batch)
-- and the day it counts for (published, else the batch folder's date when it is named by one, else the day it
-- was ingested) — the same rule as tasks/dedup.py's event_day, so every mart puts a document on one day.
create or replace view stg_documents as
with source as (
    select * from documents
),
final as (
    select
        doc_id,
        source_path,
        batch,
        coalesce(site_name, regexp_extract(url, '^https?://(?:www\.)?([^/]+)', 1), batch) as outlet,
        coalesce(published, try_cast(left(batch, 10) as date), cast(ingested_at as date)) as day,
        published,
        language,
        title,
        byline,
        url,
        n_chars
    from source
)
select * from final;
