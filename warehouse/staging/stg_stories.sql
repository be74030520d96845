-- story_clusters: one row per document, with its story (documents about one event within a few days, see
-- tasks/stories.py), its syndication group (itself when it has no copy) and the day it counts for.
create or replace view story_clusters as
with source as (
    select * from stories
),
syndication as (
    select doc_id, group_id from syndication
),
signatures as (
    select doc_id, day from signatures
),
documents as (
    select doc_id, outlet, title from stg_documents
),
final as (
    select
        source.story_id,
        source.doc_id,
        documents.outlet,
        documents.title,
        signatures.day,
        coalesce(syndication.group_id, source.doc_id) as group_id,
        source.matched_doc_id,
        source.score
    from source
    left join syndication using (doc_id)
    left join signatures using (doc_id)
    left join documents using (doc_id)
)
select * from final
order by story_id, day, doc_id;
