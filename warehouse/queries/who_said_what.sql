-- Who said what: the quotes carried by the most independent sources (syndicated copies count once).
select speaker, quote, first_outlet, first_day, story_label, n_sources, n_documents
from mart_who_said_what
where speaker is not null
order by n_sources desc, n_documents desc, first_day
limit 20;
