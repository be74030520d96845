-- mart_entity_timeline: one row per day, outlet and entity, with its mentions and documents that day in that
-- outlet and its rank there (1 = most mentioned). Top entities per day and outlet:
--   select * from mart_entity_timeline where rank <= 10 order by day, outlet, rank
create or replace view mart_entity_timeline as
with source as (
    select * from stg_mentions
),
entities as (
    select entity_id, name as entity, label from entities
),
counted as (
    select
        day,
        outlet,
        entity_id,
        count(*) as n_mentions,
        count(distinct doc_id) as n_documents
    from source
    group by day, outlet, entity_id
),
outlet_days as (
    select day, outlet, count(distinct doc_id) as n_outlet_documents
    from source
    group by day, outlet
),
final as (
    select
        counted.day,
        counted.outlet,
        counted.entity_id,
        entities.entity,
        entities.label,
        counted.n_mentions,
        counted.n_documents,
        outlet_days.n_outlet_documents,
        row_number() over (
            partition by counted.day, counted.outlet
            order by counted.n_mentions desc, counted.n_documents desc, entities.entity, counted.entity_id
        ) as rank
    from counted
    join entities using (entity_id)
    join outlet_days using (day, outlet)
)
select * from final
order by day, outlet, rank;
