-- tsfix schema, migration 0003: the operations tsfix performs, as SQL functions.
--
-- Both transports call these: psycopg with `select public.tsfix_…(…)`, supabase-py with `rpc(…)`
-- (PostgREST). So a scan is one round trip and one transaction either way, and both backends share
-- one implementation. Every function returns jsonb, which both transports hand back as the same
-- Python objects. The functions run with the caller's rights (security invoker): row-level security
-- decides what each role may read and write.

do $$
begin
  if not exists (select 1 from pg_type where typname = 'tsfix_error_input' and typnamespace = 'public'::regnamespace) then
    create type public.tsfix_error_input as (
      fingerprint  text,
      file_path    text,
      line         integer,
      col          integer,
      code         text,
      category     text,
      message      text,
      code_snippet text,
      context      jsonb,
      file_hash    text
    );
  end if;
end
$$;

-- Record one scan: upsert its errors by fingerprint, reopen returning ones, mark unseen ones fixed
-- (unless the scan is incomplete), write history and counts. `scan.id` (a uuid chosen by the client
-- when the scan is taken) makes retried uploads idempotent: a scan already recorded is not recorded
-- twice. Scans of one project are serialised with an advisory lock.
create or replace function public.tsfix_record_scan(scan jsonb, errors jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_project  text := scan ->> 'project';
  v_scan     uuid := coalesce(nullif(scan ->> 'id', '')::uuid, gen_random_uuid());
  v_now      timestamptz := now();
  v_complete boolean := coalesce((scan ->> 'complete')::boolean, true);
  v_rows     public.tsfix_error_input[];
  v_previous jsonb;
  v_fixed    jsonb := '[]'::jsonb;
  v_recorded jsonb;
  v_counts   jsonb;
begin
  if v_project is null or v_project = '' then
    raise exception 'tsfix_record_scan: scan.project is required' using errcode = '22023';
  end if;
  if jsonb_typeof(coalesce(errors, '[]'::jsonb)) <> 'array' then
    raise exception 'tsfix_record_scan: errors must be a JSON array' using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('tsfix:' || v_project, 0));

  if exists (select 1 from public.scans s where s.id = v_scan) then
    return jsonb_build_object(
      'scan_id', v_scan, 'duplicate', true, 'errors', '[]'::jsonb, 'fixed', '[]'::jsonb,
      'counts', (select jsonb_build_object(
                   'errors', s.error_count, 'warnings', s.warning_count, 'files', s.file_count,
                   'new', s.new_count, 'open', s.open_count, 'reopened', s.reopened_count,
                   'fixed', s.fixed_count)
                 from public.scans s where s.id = v_scan));
  end if;

  v_rows := array(select r from jsonb_populate_recordset(null::public.tsfix_error_input, coalesce(errors, '[]'::jsonb)) r);

  insert into public.scans (id, project, project_root, tsconfig, git_commit, git_branch, typescript_version,
                            tsfix_version, tsc_exit_code, complete, started_at, duration_ms, tsc_ms, created_at)
  values (v_scan, v_project, coalesce(scan ->> 'project_root', ''), coalesce(scan ->> 'tsconfig', 'tsconfig.json'),
          scan ->> 'git_commit', scan ->> 'git_branch', scan ->> 'typescript_version', scan ->> 'tsfix_version',
          (scan ->> 'tsc_exit_code')::integer, v_complete,
          coalesce((scan ->> 'started_at')::timestamptz, v_now),
          coalesce((scan ->> 'duration_ms')::integer, 0), coalesce((scan ->> 'tsc_ms')::integer, 0), v_now);

  select coalesce(jsonb_object_agg(t.fingerprint, t.status), '{}'::jsonb) into v_previous
  from unnest(v_rows) i
  join public.typescript_errors t on t.project = v_project and t.fingerprint = i.fingerprint;

  insert into public.typescript_errors as t (project, fingerprint, file_path, line, col, code, category, message,
                                             code_snippet, context, file_hash, status, occurrences,
                                             first_seen_scan, last_seen_scan, created_at, updated_at)
  select v_project, i.fingerprint, i.file_path, i.line, i.col, i.code, i.category, i.message, i.code_snippet,
         i.context, i.file_hash, 'new', 1, v_scan, v_scan, v_now, v_now
  from unnest(v_rows) i
  on conflict (project, fingerprint) do update set
    file_path = excluded.file_path, line = excluded.line, col = excluded.col, category = excluded.category,
    message = excluded.message, code_snippet = excluded.code_snippet, context = excluded.context,
    file_hash = excluded.file_hash, occurrences = t.occurrences + 1, last_seen_scan = excluded.last_seen_scan,
    fixed_in_scan = null,
    status = case when t.status in ('fixed', 'applied') then 'new' else t.status end,
    updated_at = excluded.updated_at;

  insert into public.error_events (error_id, scan_id, event, from_status, to_status, created_at)
  select t.id, v_scan, 'new', null, 'new', v_now
  from public.typescript_errors t where t.project = v_project and t.first_seen_scan = v_scan;

  insert into public.error_events (error_id, scan_id, event, from_status, to_status, created_at)
  select t.id, v_scan, 'reopened', p.value, t.status, v_now
  from jsonb_each_text(v_previous) p
  join public.typescript_errors t on t.project = v_project and t.fingerprint = p.key
  where p.value in ('fixed', 'applied');

  if v_complete then
    with gone as (
      select e.id, e.status from public.typescript_errors e
      where e.project = v_project and e.status <> 'fixed' and e.last_seen_scan <> v_scan
      for update
    ), history as (
      insert into public.error_events (error_id, scan_id, event, from_status, to_status, created_at)
      select gone.id, v_scan, 'fixed', gone.status, 'fixed', v_now from gone
    ), marked as (
      update public.typescript_errors e set status = 'fixed', fixed_in_scan = v_scan, updated_at = v_now
      from gone where e.id = gone.id
      returning e.id, e.fingerprint, e.file_path, e.line, e.code, e.message
    )
    select coalesce(jsonb_agg(jsonb_build_object('id', m.id, 'fingerprint', m.fingerprint, 'file_path', m.file_path,
                                                 'line', m.line, 'code', m.code, 'message', m.message)
                              order by m.file_path collate "C", m.line), '[]'::jsonb)
    into v_fixed from marked m;
  end if;

  select coalesce(jsonb_agg(jsonb_build_array(
           i.fingerprint, t.id, t.status,
           case when not v_previous ? i.fingerprint then 'new'
                when v_previous ->> i.fingerprint in ('fixed', 'applied') then 'reopened'
                else 'open' end) order by i.ord), '[]'::jsonb)
  into v_recorded
  from unnest(v_rows) with ordinality as i(fingerprint, file_path, line, col, code, category, message,
                                            code_snippet, context, file_hash, ord)
  join public.typescript_errors t on t.project = v_project and t.fingerprint = i.fingerprint;

  select jsonb_build_object(
           'errors', count(*) filter (where i.category = 'error'),
           'warnings', count(*) filter (where i.category <> 'error'),
           'files', count(distinct i.file_path),
           'new', count(*) filter (where not v_previous ? i.fingerprint),
           'open', count(*) filter (where v_previous ? i.fingerprint
                                      and v_previous ->> i.fingerprint not in ('fixed', 'applied')),
           'reopened', count(*) filter (where v_previous ->> i.fingerprint in ('fixed', 'applied')),
           'fixed', jsonb_array_length(v_fixed))
  into v_counts
  from unnest(v_rows) i;

  update public.scans set
    error_count = (v_counts ->> 'errors')::integer, warning_count = (v_counts ->> 'warnings')::integer,
    file_count = (v_counts ->> 'files')::integer, new_count = (v_counts ->> 'new')::integer,
    open_count = (v_counts ->> 'open')::integer, reopened_count = (v_counts ->> 'reopened')::integer,
    fixed_count = (v_counts ->> 'fixed')::integer
  where id = v_scan;

  return jsonb_build_object('scan_id', v_scan, 'errors', v_recorded, 'fixed', v_fixed, 'counts', v_counts);
end
$$;

-- Errors matching every given filter, by file and position; `p_files` match a file or a folder prefix.
create or replace function public.tsfix_list_errors(
  p_project text default null, p_statuses text[] default null, p_codes text[] default null,
  p_files text[] default null, p_limit integer default null)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select coalesce(jsonb_agg(to_jsonb(e) order by e.file_path is null, e.file_path collate "C", e.line, e.col, e.created_at, e.id),
                  '[]'::jsonb)
  from (
    select t.* from public.typescript_errors t
    where (p_project is null or t.project = p_project)
      and (p_statuses is null or t.status = any (p_statuses))
      and (p_codes is null or t.code = any (p_codes))
      and (p_files is null or exists (
             select 1 from unnest(p_files) f
             where t.file_path = f or starts_with(t.file_path, rtrim(f, '/') || '/')))
    order by t.file_path is null, t.file_path collate "C", t.line, t.col, t.created_at, t.id
    limit p_limit
  ) e
$$;

-- One error by id or by a unique prefix of its id (at least 4 characters): the row, null when there
-- is none, or {"matches": n} when a prefix is ambiguous.
create or replace function public.tsfix_get_error(p_id text)
returns jsonb
language plpgsql
stable
set search_path = public, pg_temp
as $$
declare
  v_found jsonb;
  v_count integer;
begin
  if p_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select to_jsonb(t) into v_found from public.typescript_errors t where t.id = p_id::uuid;
    return v_found;
  end if;
  if p_id !~* '^[0-9a-f-]{4,36}$' then
    return null;
  end if;
  select count(*), (array_agg(to_jsonb(t)))[1] into v_count, v_found
  from public.typescript_errors t where starts_with(t.id::text, lower(p_id));
  if v_count > 1 then
    return jsonb_build_object('matches', v_count);
  end if;
  return v_found;
end
$$;

create or replace function public.tsfix_error_history(p_error text)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select coalesce(jsonb_agg(to_jsonb(e) order by e.id), '[]'::jsonb)
  from public.error_events e where e.error_id = p_error::uuid
$$;

create or replace function public.tsfix_latest_scan(p_project text default null)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select to_jsonb(s) from public.scans s
  where p_project is null or s.project = p_project
  order by s.created_at desc, s.started_at desc
  limit 1
$$;

-- The open errors of a project that have a file, as recorded: what the next scan will likely see.
create or replace function public.tsfix_previous_errors(p_project text)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'fingerprint', t.fingerprint, 'file_path', t.file_path, 'line', t.line, 'col', t.col,
           'code', t.code, 'category', t.category, 'message', t.message, 'code_snippet', t.code_snippet,
           'context', t.context, 'file_hash', t.file_hash)), '[]'::jsonb)
  from public.typescript_errors t
  where t.project = p_project and t.status <> 'fixed' and t.file_path is not null
$$;

-- The schema version this database holds; tsfix compares it with the one it expects, so `tsfix db
-- status` works over REST too, where tsfix_migrations may not be readable.
-- plpgsql, not an immutable SQL function: that would be folded into a constant when a statement is
-- planned, and a plan cached for one role (PostgREST prepares statements on pooled connections) would
-- then answer another role without checking its EXECUTE privilege.
create or replace function public.tsfix_schema_version()
returns integer
language plpgsql
stable
as $$ begin return 3; end $$;

-- On Supabase (where the anon role exists) only the project's own roles may call tsfix: anon is a
-- member of PUBLIC, so EXECUTE is taken from PUBLIC and given back to authenticated and service_role.
-- Reads are allowed to authenticated; RLS still keeps it from writing.
do $$
declare
  f text;
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    foreach f in array array[
      'public.tsfix_record_scan(jsonb, jsonb)',
      'public.tsfix_list_errors(text, text[], text[], text[], integer)',
      'public.tsfix_get_error(text)',
      'public.tsfix_error_history(text)',
      'public.tsfix_latest_scan(text)',
      'public.tsfix_previous_errors(text)',
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

insert into public.tsfix_migrations (name) values ('0003_functions') on conflict (name) do nothing;
