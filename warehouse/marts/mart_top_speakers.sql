-- mart_top_speakers: one row per speaker (canonical name), with how many quotes and documents quote them, and
-- how many distinct quotes (clusters: a syndicated copy of a quote counts once).
create or replace view mart_top_speakers as
with source as (
    select quotes.*, members.cluster_id
    from stg_quotes as quotes
    left join mart_quote_cluster_members as members using (quote_id)
    where quotes.speaker is not null
),
final as (
    select
        speaker,
        count(*) as n_quotes,
        count(distinct doc_id) as n_documents,
        count(distinct outlet) as n_outlets,
        min(day) as first_day,
        max(day) as last_day,
        count(distinct coalesce(cluster_id, quote_id)) as n_distinct_quotes
    from source
    group by speaker
)
select * from final
order by n_quotes desc, speaker;
