-- Syndication groups: every copy of a text, its outlet and how close it is to the group's earliest document.
select group_id, doc_id, outlet, day, similarity, is_earliest, method
from syndication_groups
order by group_id, day, doc_id;
