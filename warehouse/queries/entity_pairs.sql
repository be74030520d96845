-- The entities named together most often within a story (distinct texts: copies count once).
select story_id, entity_a, entity_b, n_texts, n_documents
from mart_cooccurrence
order by n_texts desc, n_documents desc, entity_a, entity_b
limit 20;
