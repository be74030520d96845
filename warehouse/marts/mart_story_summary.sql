-- mart_story_summary: one row per story, labelled by its three most mentioned entities, with when it was first
-- and last seen, its outlets, and how many documents and distinct texts (syndication groups) tell it.
create or replace view mart_story_summary as
with source as (
    select * from story_clusters
),
entities as (
    select entity_id, name from entities
),
entity_counts as (
    select source.story_id, entities.name, count(*) as n_mentions
    from source
    join mentions using (doc_id)
    join entities using (entity_id)
    group by source.story_id, entities.entity_id, entities.name
),
top_entities as (
    select
        story_id,
        list(name order by n_mentions desc, name) as entities
    from entity_counts
    group by story_id
),
stories as (
    select
        story_id,
        min(day) as first_seen,
        max(day) as last_seen,
        count(*) as n_documents,
        count(distinct group_id) as n_texts,
        count(distinct outlet) as n_outlets,
        list_sort(list(distinct outlet)) as outlets,
        arg_min(title, (day, doc_id)) as first_title
    from source
    group by story_id
),
final as (
    select
        stories.story_id,
        coalesce(array_to_string(top_entities.entities[1:3], ' / '), stories.first_title) as label,
        stories.first_seen,
        stories.last_seen,
        stories.n_documents,
        stories.n_texts,
        stories.n_outlets,
        stories.outlets,
        top_entities.entities[1:10] as top_entities,
        stories.first_title
    from stories
    left join top_entities using (story_id)
)
select * from final
order by n_documents desc, first_seen, story_id;
