-- stg_mentions: one row per entity mention, with its document's outlet, day and language.
create or replace view stg_mentions as
with source as (
    select * from mentions
),
documents as (
    select doc_id, outlet, day, language from stg_documents
),
final as (
    select
        source.doc_id,
        documents.outlet,
        documents.day,
        documents.language,
        source.entity_id,
        source.name as entity,
        source.label,
        source.text as mention,
        source.start,
        source."end"
    from source
    join documents using (doc_id)
)
select * from final;
