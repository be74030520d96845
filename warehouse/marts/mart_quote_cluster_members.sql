-- mart_quote_cluster_members: one row per quote with a key, and the cluster of the same quote across documents.
-- Two quotes in different documents are the same quote when they share at least half of the shorter one's
-- word trigrams (quote_key: folded words, so other marks, case and punctuation do not matter; a sentence more
-- or less, or a changed word, still links). Quotes of one or two words link only with the same speaker
-- ("ready" said by two people is two quotes). The cluster is the connected component; its id is the smallest
-- quote_id in it.
create or replace view mart_quote_cluster_members as
with source as (
    select quote_id, doc_id, speaker, quote_key, n_words
    from stg_quotes
    where quote_key is not null and n_words > 0
),
words as (
    select quote_id, doc_id, speaker, n_words, string_split(quote_key, ' ') as w from source
),
shingles as (
    select distinct
        quote_id,
        doc_id,
        speaker,
        n_words,
        case when n_words < 3 then quote_key_part else array_to_string(w[i:i + 2], ' ') end as shingle
    from (
        select *, array_to_string(w, ' ') as quote_key_part
        from words
    ), range(1, greatest(n_words - 1, 2)) as t(i)
),
sizes as (
    select quote_id, count(*) as n_shingles from shingles group by quote_id
),
shared as (
    select a.quote_id as a, b.quote_id as b, count(*) as n_shared,
           min(a.n_words) as a_words, min(b.n_words) as b_words,
           min(a.speaker) as a_speaker, min(b.speaker) as b_speaker
    from shingles as a
    join shingles as b on a.shingle = b.shingle and a.doc_id <> b.doc_id and a.quote_id < b.quote_id
    group by a.quote_id, b.quote_id
),
links as (
    select shared.a, shared.b
    from shared
    join sizes as sa on sa.quote_id = shared.a
    join sizes as sb on sb.quote_id = shared.b
    where shared.n_shared * 2 >= least(sa.n_shingles, sb.n_shingles)
      and (least(shared.a_words, shared.b_words) >= 3
           or (shared.a_words = shared.b_words and shared.a_speaker = shared.b_speaker))
),
edges as (
    select a as src, b as dst from links
    union all
    select b as src, a as dst from links
),
walk as (
    with recursive reach(quote_id, root) as (
        select quote_id, quote_id from source
        union
        select edges.dst, reach.root from reach join edges on edges.src = reach.quote_id
    )
    select quote_id, min(root) as cluster_id from reach group by quote_id
),
final as (
    select source.quote_id, walk.cluster_id
    from source
    join walk using (quote_id)
)
select * from final;
