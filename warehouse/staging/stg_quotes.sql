-- stg_quotes: one row per quote, with its document's outlet, day and the time it counts from for "first".
create or replace view stg_quotes as
with source as (
    select * from quotes
),
outlets as (
    select doc_id, outlet, day, published from stg_documents
),
ingested as (
    select doc_id, ingested_at from documents
),
final as (
    select
        source.quote_id,
        source.doc_id,
        outlets.outlet,
        outlets.day,
        -- the first document of a quote is the first published, else the first ingested
        coalesce(cast(outlets.published as timestamp), cast(ingested.ingested_at as timestamp)) as seen_at,
        source.text as quote,
        source.quote_key,
        len(string_split(source.quote_key, ' ')) as n_words,
        source.kind,
        source.speaker,
        source.speaker_entity_id,
        source.speaker_mention,
        source.cue,
        -- who the report says spoke, when "according to Y" / "reports Y" made Y the speaker
        source.reported_speaker
    from source
    join outlets using (doc_id)
    join ingested using (doc_id)
)
select * from final;
