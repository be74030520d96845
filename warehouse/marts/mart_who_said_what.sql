-- mart_who_said_what: one row per quote cluster (one thing said, however many documents carry it; see
-- mart_quote_clusters): who said it, what, where and when it first appeared, the story of that first document,
-- and counts in which syndicated copies count once (n_sources: distinct syndication groups carrying it, so a
-- wire story republished by ten sites is one source).
create or replace view mart_who_said_what as
with source as (
    select * from mart_quote_clusters
),
carriers as (
    select members.cluster_id, quotes.doc_id
    from mart_quote_cluster_members as members
    join stg_quotes as quotes using (quote_id)
),
stories as (
    select doc_id, story_id, group_id from story_clusters
),
labels as (
    select story_id, label as story_label from mart_story_summary
),
sources as (
    select carriers.cluster_id, count(distinct coalesce(stories.group_id, carriers.doc_id)) as n_sources
    from carriers
    left join stories using (doc_id)
    group by carriers.cluster_id
),
final as (
    select
        source.cluster_id,
        source.speaker,
        source.quote,
        source.first_day,
        source.first_outlet,
        source.first_doc_id,
        stories.story_id,
        labels.story_label,
        source.n_documents,
        sources.n_sources,
        source.n_outlets,
        source.outlets
    from source
    join sources using (cluster_id)
    left join stories on stories.doc_id = source.first_doc_id
    left join labels using (story_id)
)
select * from final
order by n_sources desc, n_documents desc, first_day, cluster_id;
