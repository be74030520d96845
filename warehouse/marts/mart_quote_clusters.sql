-- mart_quote_clusters: one row per quote cluster (the same quote in one or more documents), with its speaker,
-- the first document that carried it (by published date, else ingest time), the outlets and the counts, so that
-- syndicated copies count once in "how often did X say Y".
create or replace view mart_quote_clusters as
with source as (
    select members.cluster_id, quotes.*
    from mart_quote_cluster_members as members
    join stg_quotes as quotes using (quote_id)
),
final as (
    select
        cluster_id,
        mode(speaker) filter (where speaker is not null) as speaker,
        arg_max(quote, n_words) as quote,
        arg_min(doc_id, (seen_at, doc_id)) as first_doc_id,
        arg_min(outlet, (seen_at, doc_id)) as first_outlet,
        min(day) as first_day,
        list_sort(list(distinct outlet)) as outlets,
        count(distinct outlet) as n_outlets,
        count(distinct doc_id) as n_documents,
        count(*) as n_quotes
    from source
    group by cluster_id
)
select * from final
order by n_documents desc, first_day, cluster_id;
