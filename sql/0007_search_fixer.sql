-- Schema 7: suggestions from the compiler-guided search (fixer 'search', tsfix.fixers.search).
-- The fixer check lists every registered fixer; tests/test_store_interface.py keeps it in step.

alter table public.ai_suggestions drop constraint if exists ai_suggestions_fixer_check;
alter table public.ai_suggestions add constraint ai_suggestions_fixer_check
  check (fixer in ('quickfix', 'repair', 'search', 'llama', 'openai'));

create or replace function public.tsfix_schema_version()
returns integer
language plpgsql
stable
as $$ begin return 7; end $$;

insert into public.tsfix_migrations (name) values ('0007_search_fixer') on conflict (name) do nothing;
