-- mart_cooccurrence: one row per story and pair of entities named in one document of the story (entity_a_id <
-- entity_b_id), with the documents naming both and the distinct texts among them (syndicated copies count once).
create or replace view mart_cooccurrence as
with source as (
    select distinct doc_id, entity_id from mentions
),
stories as (
    select doc_id, story_id, group_id from story_clusters
),
entities as (
    select entity_id, name, label from entities
),
pairs as (
    select a.doc_id, a.entity_id as entity_a_id, b.entity_id as entity_b_id
    from source as a
    join source as b on a.doc_id = b.doc_id and a.entity_id < b.entity_id
),
counted as (
    select
        stories.story_id,
        pairs.entity_a_id,
        pairs.entity_b_id,
        count(distinct pairs.doc_id) as n_documents,
        count(distinct stories.group_id) as n_texts
    from pairs
    join stories using (doc_id)
    group by stories.story_id, pairs.entity_a_id, pairs.entity_b_id
),
final as (
    select
        counted.story_id,
        counted.entity_a_id,
        a.name as entity_a,
        a.label as label_a,
        counted.entity_b_id,
        b.name as entity_b,
        b.label as label_b,
        counted.n_documents,
        counted.n_texts
    from counted
    join entities as a on a.entity_id = counted.entity_a_id
    join entities as b on b.entity_id = counted.entity_b_id
)
select * from final
order by story_id, n_texts desc, n_documents desc, entity_a, entity_b;
