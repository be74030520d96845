-- The five most mentioned entities per day and outlet.
select day, outlet, rank, entity, label, n_mentions, n_documents
from mart_entity_timeline
where rank <= 5
order by day, outlet, rank;
