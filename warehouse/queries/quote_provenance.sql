-- Where each widely repeated quote appeared first, and how many independent documents repeated it.
select
    cluster_id,
    first_outlet,
    first_day,
    count(*) as n_documents,
    count(*) filter (where not is_syndicated_copy) as n_independent,
    max(days_after_first) as days_spread
from mart_quote_provenance
group by cluster_id, first_outlet, first_day
having count(*) > 1
order by n_independent desc, n_documents desc, cluster_id
limit 20;
