-- stg_documents: one row per document, with the outlet (site name, else the URL's host, else the batch)
-- and the day it counts for (published, else the day it was ingested).
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
        coalesce(published, cast(ingested_at as date)) as day,
        published,
        language,
        title,
        byline,
        url,
        n_chars
    from source
)
select * from final;
