-- Stories, largest first: label, when first and last seen, documents, distinct texts and outlets.
select story_id, label, first_seen, last_seen, n_documents, n_texts, n_outlets
from mart_story_summary
order by n_documents desc, first_seen
limit 20;
