-- mart_top_speakers: one row per speaker (canonical name), with how many quotes and documents quote them.
create or replace view mart_top_speakers as
with source as (
    select * from stg_quotes where speaker is not null
),
final as (
    select
        speaker,
        count(*) as n_quotes,
        count(distinct doc_id) as n_documents,
        count(distinct outlet) as n_outlets,
        min(day) as first_day,
        max(day) as last_day
    from source
    group by speaker
)
select * from final
order by n_quotes desc, speaker;
