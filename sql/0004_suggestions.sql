-- tsfix schema, migration 0004: recording and reading fix suggestions (`tsfix suggest`, `tsfix show`).

-- Replace an error's unapplied suggestions with `p_suggestions` (a JSON array of ai_suggestions
-- rows without ids); the error becomes ai_suggested when there are any, and its history records
-- `p_note` (e.g. "no fix found") when there are none. Returns the new ids, in order.
create or replace function public.tsfix_record_suggestions(p_error text, p_suggestions jsonb, p_note text default null)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_error  uuid := p_error::uuid;
  v_status text;
  v_new    text;
  v_ids    jsonb;
begin
  select status into v_status from public.typescript_errors where id = v_error for update;
  if not found then
    raise exception 'tsfix_record_suggestions: no error %', p_error using errcode = '22023';
  end if;
  delete from public.ai_suggestions where error_id = v_error and applied_at is null;
  with added as (
    insert into public.ai_suggestions (error_id, fixer, model_name, suggestion, edits, explanation, confidence,
                                       verified, verification, base_hashes, tokens_in, tokens_out, latency_ms,
                                       generated_at)
    select v_error, e.value ->> 'fixer', e.value ->> 'model_name', e.value ->> 'suggestion',
           coalesce(e.value -> 'edits', '[]'::jsonb), e.value ->> 'explanation',
           (e.value ->> 'confidence')::real, coalesce((e.value ->> 'verified')::boolean, false),
           e.value -> 'verification', coalesce(e.value -> 'base_hashes', '{}'::jsonb),
           (e.value ->> 'tokens_in')::integer, (e.value ->> 'tokens_out')::integer,
           (e.value ->> 'latency_ms')::integer, now()
    from jsonb_array_elements(coalesce(p_suggestions, '[]'::jsonb)) with ordinality as e(value, ord)
    order by e.ord
    returning id
  )
  select coalesce(jsonb_agg(id), '[]'::jsonb) into v_ids from added;

  v_new := case when jsonb_array_length(v_ids) > 0 and v_status in ('new', 'ai_suggested')
                then 'ai_suggested' else v_status end;
  if v_new <> v_status then
    update public.typescript_errors set status = v_new, updated_at = now() where id = v_error;
  end if;
  if v_new <> v_status or p_note is not null then
    insert into public.error_events (error_id, scan_id, event, from_status, to_status, detail, created_at)
    values (v_error, null, 'status', v_status, v_new, p_note, now());
  end if;
  return v_ids;
end
$$;

create or replace function public.tsfix_suggestions(p_error text)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select coalesce(jsonb_agg(to_jsonb(s) order by s.confidence desc, s.generated_at, s.id), '[]'::jsonb)
  from public.ai_suggestions s where s.error_id = p_error::uuid
$$;

create or replace function public.tsfix_schema_version()
returns integer
language plpgsql
stable
as $$ begin return 4; end $$;

do $$
declare
  f text;
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    foreach f in array array[
      'public.tsfix_record_suggestions(text, jsonb, text)',
      'public.tsfix_suggestions(text)',
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

insert into public.tsfix_migrations (name) values ('0004_suggestions') on conflict (name) do nothing;
