-- tsfix schema, migration 0005: applying suggestions (`tsfix apply`, `tsfix undo`).

-- One suggestion by id, or by a unique prefix of 4+ characters ({"matches": n} when several match).
create or replace function public.tsfix_get_suggestion(p_id text)
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
    select to_jsonb(s) into v_found from public.ai_suggestions s where s.id = p_id::uuid;
    return v_found;
  end if;
  if p_id !~* '^[0-9a-f-]{4,36}$' then
    return null;
  end if;
  select count(*), (array_agg(to_jsonb(s)))[1] into v_count, v_found
  from public.ai_suggestions s where starts_with(s.id::text, lower(p_id));
  if v_count > 1 then
    return jsonb_build_object('matches', v_count);
  end if;
  return v_found;
end
$$;

-- The suggestions of several errors (a JSON array of error ids), most confident first.
create or replace function public.tsfix_suggestions_for(p_errors jsonb)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select coalesce(jsonb_agg(to_jsonb(s) order by s.confidence desc, s.generated_at, s.id), '[]'::jsonb)
  from public.ai_suggestions s
  where s.error_id in (select (e.value #>> '{}')::uuid from jsonb_array_elements(p_errors) as e(value))
$$;

-- Mark suggestions (a JSON array of ids) applied, or no longer applied (`tsfix undo`). An error
-- whose suggestion is applied becomes `applied` (the next scan makes it `fixed`, or reopens it);
-- undone, it goes back to `ai_suggested`. Each change is in the error's history. Returns how many
-- suggestions were marked.
create or replace function public.tsfix_mark_applied(p_suggestions jsonb, p_applied boolean)
returns integer
language plpgsql
set search_path = public, pg_temp
as $$
declare
  r       record;
  v_new   text;
  v_count integer := 0;
begin
  for r in
    select s.id, s.error_id, e.status
    from public.ai_suggestions s join public.typescript_errors e on e.id = s.error_id
    where s.id in (select (x.value #>> '{}')::uuid from jsonb_array_elements(p_suggestions) as x(value))
    order by s.id
    for update of s, e
  loop
    update public.ai_suggestions set applied_at = case when p_applied then now() end where id = r.id;
    v_new := case
      when p_applied and r.status in ('new', 'ai_suggested') then 'applied'
      when not p_applied and r.status = 'applied' then 'ai_suggested'
      else r.status
    end;
    if v_new <> r.status then
      update public.typescript_errors set status = v_new, updated_at = now() where id = r.error_id;
    end if;
    insert into public.error_events (error_id, scan_id, event, from_status, to_status, detail, created_at)
    values (r.error_id, null, 'status', r.status, v_new,
            case when p_applied then 'suggestion ' || r.id || ' applied'
                 else 'apply of suggestion ' || r.id || ' undone' end,
            now());
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

create or replace function public.tsfix_schema_version()
returns integer
language plpgsql
stable
as $$ begin return 5; end $$;

do $$
declare
  f text;
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    foreach f in array array[
      'public.tsfix_get_suggestion(text)',
      'public.tsfix_suggestions_for(jsonb)',
      'public.tsfix_mark_applied(jsonb, boolean)',
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

insert into public.tsfix_migrations (name) values ('0005_apply') on conflict (name) do nothing;
