-- tsfix schema, migration 0002: row-level security and privileges.
--
-- Every tsfix table has RLS enabled. With Supabase's roles:
--   service_role   full access (CI runners and workers use the service-role key)
--   authenticated  read-only (dashboards, teammates signed in to the project)
--   anon           nothing
-- On a plain Postgres without those roles the policies for missing roles are skipped; the table owner
-- (the role tsfix connects as with a postgresql:// URL) is not subject to RLS.

alter table public.tsfix_migrations  enable row level security;
alter table public.scans             enable row level security;
alter table public.typescript_errors enable row level security;
alter table public.error_events      enable row level security;
alter table public.ai_suggestions    enable row level security;

do $$
declare
  t text;
begin
  foreach t in array array['tsfix_migrations', 'scans', 'typescript_errors', 'error_events', 'ai_suggestions'] loop
    if exists (select 1 from pg_roles where rolname = 'service_role') then
      execute format('drop policy if exists tsfix_service_role_all on public.%I', t);
      execute format(
        'create policy tsfix_service_role_all on public.%I for all to service_role using (true) with check (true)', t);
      execute format('grant select, insert, update, delete on public.%I to service_role', t);
    end if;
    if exists (select 1 from pg_roles where rolname = 'authenticated') then
      execute format('drop policy if exists tsfix_authenticated_read on public.%I', t);
      execute format('create policy tsfix_authenticated_read on public.%I for select to authenticated using (true)', t);
      execute format('revoke insert, update, delete, truncate on public.%I from authenticated', t);
      execute format('grant select on public.%I to authenticated', t);
    end if;
    if exists (select 1 from pg_roles where rolname = 'anon') then
      execute format('revoke all on public.%I from anon', t);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant usage, select on sequence public.error_events_id_seq to service_role;
  end if;
end
$$;

insert into public.tsfix_migrations (name) values ('0002_security') on conflict (name) do nothing;
