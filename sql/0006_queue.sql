-- tsfix schema, migration 0006: typescript_errors as a work queue for `tsfix worker`.
--
-- Workers on any number of machines claim `new` errors with FOR UPDATE SKIP LOCKED, so two workers
-- never take the same row; a claim is a lease (claimed_until) that a crashed worker's rows lose when
-- it expires. suggest_tier records how far suggestion has gone for an error (0: not tried,
-- 1: quick fixes and repairs, 2: also a model), so a GPU worker (tier 2) still takes the errors a CI
-- runner only tried with quick fixes, and nothing is tried twice at the same tier.

alter table public.typescript_errors add column if not exists suggest_tier smallint not null default 0;
alter table public.typescript_errors add column if not exists claimed_by text;
alter table public.typescript_errors add column if not exists claimed_until timestamptz;
alter table public.typescript_errors add column if not exists claim_count integer not null default 0;
create index if not exists typescript_errors_queue
  on public.typescript_errors (project, created_at, id) where status = 'new';

-- tsfix_record_suggestions (schema 4), then: the error's suggest_tier rises to p_tier and any claim on
-- it ends, in the same transaction. Returns the new ids, in order. (A new name rather than an overload,
-- so that calls by name are never ambiguous; schema 4's function stays for older clients.)
create or replace function public.tsfix_record_suggestions_at(
  p_error text, p_suggestions jsonb, p_note text, p_tier integer)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_ids jsonb;
begin
  v_ids := public.tsfix_record_suggestions(p_error, p_suggestions, p_note);  -- locks the error's row
  update public.typescript_errors
  set suggest_tier = greatest(suggest_tier, p_tier), claimed_by = null, claimed_until = null
  where id = p_error::uuid;
  return v_ids;
end
$$;

-- Claim up to p_limit `new` errors not yet tried at p_tier, for p_lease_seconds: rows another worker
-- holds (locked now, or claimed with a lease that has not expired) are skipped. p_project and
-- p_commit (the git commit of the scan that last saw the error) restrict the claim to what the
-- worker's checkout can reproduce. Returns the claimed rows as JSON, in file order.
create or replace function public.tsfix_claim_errors(
  p_worker text, p_limit integer, p_lease_seconds integer,
  p_project text default null, p_commit text default null, p_tier integer default 1)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_rows jsonb;
begin
  if coalesce(p_worker, '') = '' or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'tsfix_claim_errors: a worker name and a lease of at least a second are needed'
      using errcode = '22023';
  end if;
  with picked as (
    select e.id
    from public.typescript_errors e
    where e.status = 'new'
      and e.suggest_tier < p_tier
      and e.file_path is not null
      and (e.claimed_until is null or e.claimed_until < now())
      and (p_project is null or e.project = p_project)
      and (p_commit is null or exists (
             select 1 from public.scans s where s.id = e.last_seen_scan and s.git_commit = p_commit))
    order by e.created_at, e.id
    limit greatest(p_limit, 0)
    for update of e skip locked
  ), claimed as (
    update public.typescript_errors t
    set claimed_by = p_worker,
        claimed_until = now() + make_interval(secs => p_lease_seconds),
        claim_count = t.claim_count + 1
    from picked
    where t.id = picked.id
    returning t.*
  )
  select coalesce(jsonb_agg(to_jsonb(c) order by c.file_path collate "C", c.line, c.col, c.id), '[]'::jsonb)
  into v_rows
  from claimed c;
  return v_rows;
end
$$;

-- Record the suggestions of a claimed error, only while p_worker still holds the claim (a worker
-- whose lease expired and was taken over records nothing). {"recorded": bool, "ids": [...]}.
create or replace function public.tsfix_finish_claim(
  p_worker text, p_error text, p_suggestions jsonb, p_note text default null, p_tier integer default 1)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_by text;
begin
  select claimed_by into v_by from public.typescript_errors where id = p_error::uuid for update;
  if not found or v_by is distinct from p_worker then
    return jsonb_build_object('recorded', false, 'ids', '[]'::jsonb);
  end if;
  return jsonb_build_object(
    'recorded', true, 'ids', public.tsfix_record_suggestions_at(p_error, p_suggestions, p_note, p_tier));
end
$$;

-- Give claims back (a worker stopping early) or extend them (a worker still busy). Returns how many
-- of p_errors (a JSON array of ids) p_worker held.
create or replace function public.tsfix_release_claims(p_worker text, p_errors jsonb)
returns integer
language sql
set search_path = public, pg_temp
as $$
  with released as (
    update public.typescript_errors set claimed_by = null, claimed_until = null
    where claimed_by = p_worker
      and id in (select (x.value #>> '{}')::uuid from jsonb_array_elements(p_errors) as x(value))
    returning 1
  )
  select count(*)::integer from released
$$;

create or replace function public.tsfix_extend_claims(p_worker text, p_errors jsonb, p_lease_seconds integer)
returns integer
language sql
set search_path = public, pg_temp
as $$
  with extended as (
    update public.typescript_errors
    set claimed_until = now() + make_interval(secs => greatest(p_lease_seconds, 1))
    where claimed_by = p_worker
      and id in (select (x.value #>> '{}')::uuid from jsonb_array_elements(p_errors) as x(value))
    returning 1
  )
  select count(*)::integer from extended
$$;

-- What is waiting: {"queued": n, "claimed": n, "expired": n} for a tier (and a project).
create or replace function public.tsfix_queue_status(p_project text default null, p_tier integer default 1)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select jsonb_build_object(
    'queued', count(*) filter (where claimed_until is null),
    'claimed', count(*) filter (where claimed_until >= now()),
    'expired', count(*) filter (where claimed_until < now()))
  from public.typescript_errors
  where status = 'new' and suggest_tier < p_tier and file_path is not null
    and (p_project is null or project = p_project)
$$;

create or replace function public.tsfix_schema_version()
returns integer
language plpgsql
stable
as $$ begin return 6; end $$;

do $$
declare
  f text;
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    foreach f in array array[
      'public.tsfix_record_suggestions_at(text, jsonb, text, integer)',
      'public.tsfix_claim_errors(text, integer, integer, text, text, integer)',
      'public.tsfix_finish_claim(text, text, jsonb, text, integer)',
      'public.tsfix_release_claims(text, jsonb)',
      'public.tsfix_extend_claims(text, jsonb, integer)',
      'public.tsfix_queue_status(text, integer)',
      'public.tsfix_schema_version()'
    ] loop
      execute format('revoke execute on function %s from public, anon', f);
      if exists (select 1 from pg_roles where rolname = 'service_role') then
        execute format('grant execute on function %s to service_role', f);
      end if;
      if exists (select 1 from pg_roles where rolname = 'authenticated') then
        execute format('grant execute on function %s to authenticated', f);
      end if;
    end loop;
  end if;
end
$$;

insert into public.tsfix_migrations (name) values ('0006_queue') on conflict (name) do nothing;
