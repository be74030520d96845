-- The ten most quoted speakers.
select speaker, n_quotes, n_documents, n_outlets from mart_top_speakers limit 10;
