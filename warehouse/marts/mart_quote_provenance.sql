-- mart_quote_provenance: one row per quote cluster and document carrying it, in the order the documents were
-- seen (by the day they count for in story_clusters: published, else the batch's date, else ingest day; then
-- publication or ingest time): the first outlet, how the quote spread (days after the first), and whether the
-- document only repeats it as a syndicated copy of an earlier carrier (same syndication group).
create or replace view mart_quote_provenance as
with source as (
    select members.cluster_id, quotes.doc_id, quotes.outlet, quotes.seen_at
    from mart_quote_cluster_members as members
    join stg_quotes as quotes using (quote_id)
),
stories as (
    select doc_id, group_id, day from story_clusters
),
carriers as (
    select source.cluster_id, source.doc_id, min(source.outlet) as outlet, min(source.seen_at) as seen_at,
           coalesce(min(stories.group_id), source.doc_id) as group_id, min(stories.day) as day
    from source
    left join stories using (doc_id)
    group by source.cluster_id, source.doc_id
),
ordered as (
    select
        *,
        row_number() over (partition by cluster_id order by day, seen_at, doc_id) as seen_rank,
        row_number() over (partition by cluster_id, group_id order by day, seen_at, doc_id) as rank_in_group,
        first_value(outlet) over (partition by cluster_id order by day, seen_at, doc_id) as first_outlet,
        min(day) over (partition by cluster_id) as first_day,
        count(*) over (partition by cluster_id) as n_documents
    from carriers
),
final as (
    select
        cluster_id,
        doc_id,
        outlet,
        day,
        seen_rank,
        seen_rank = 1 as is_first,
        first_outlet,
        first_day,
        day - first_day as days_after_first,
        group_id,
        rank_in_group > 1 as is_syndicated_copy,
        n_documents
    from ordered
)
select * from final
order by cluster_id, seen_rank;
