-- syndication_groups: one row per document in a syndication group of two or more documents (the same text
-- published more than once: exact copies and near copies, see tasks/dedup.py), with the group's earliest
-- document (by day, then doc_id) and each member's estimated similarity to it (share of equal MinHash values:
-- the Jaccard similarity of their word 5-shingles; 1 for the earliest and for exact copies).
create or replace view syndication_groups as
with source as (
    select * from syndication
),
signatures as (
    select doc_id, day, minhash from signatures
),
documents as (
    select doc_id, outlet from stg_documents
),
sized as (
    select source.*, count(*) over (partition by source.group_id) as n_members
    from source
),
members as (
    select
        sized.group_id,
        sized.doc_id,
        sized.matched_doc_id,
        sized.method,
        sized.n_members,
        signatures.day,
        signatures.minhash,
        first_value(sized.doc_id) over (
            partition by sized.group_id order by signatures.day, sized.doc_id
        ) as earliest_doc_id
    from sized
    join signatures using (doc_id)
    where sized.n_members > 1
),
final as (
    select
        members.group_id,
        members.doc_id,
        documents.outlet,
        members.day,
        members.earliest_doc_id,
        round(list_sum(list_transform(
            range(0, len(members.minhash) // 16),
            lambda i: (substr(members.minhash, i * 16 + 1, 16) = substr(earliest.minhash, i * 16 + 1, 16))::int
        )) / (len(members.minhash) // 16), 4) as similarity,
        members.doc_id = members.earliest_doc_id as is_earliest,
        members.matched_doc_id,
        members.method,
        members.n_members
    from members
    join signatures as earliest on earliest.doc_id = members.earliest_doc_id
    left join documents on documents.doc_id = members.doc_id
)
select * from final
order by group_id, day, doc_id;
