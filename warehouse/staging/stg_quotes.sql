-- stg_quotes: one row per quote, with its document's outlet and day.
create or replace view stg_quotes as
with source as (
    select * from quotes
),
documents as (
    select doc_id, outlet, day from stg_documents
),
final as (
    select
        source.quote_id,
        source.doc_id,
        documents.outlet,
        documents.day,
        source.text as quote,
        source.kind,
        source.speaker,
        source.speaker_entity_id,
        source.speaker_mention,
        source.cue
    from source
    join documents using (doc_id)
)
select * from final;
