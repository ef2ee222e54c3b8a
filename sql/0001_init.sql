-- tsfix schema for Postgres and Supabase, migration 0001: the tables.
--
-- The same logical schema as the embedded SQLite store (src/tsfix/store/sqlite_migrations/0001_init.sql)
-- with Postgres types: uuid keys, timestamptz, jsonb. One database serves many repositories: every
-- row carries the project key (see tsfix.project.project_key), and fingerprints are unique per project.
-- Idempotent: safe to run twice (`tsfix db migrate` records it; `supabase db push` works as well).
-- Each migration records itself in public.tsfix_migrations, whichever tool applies it.

create table if not exists public.tsfix_migrations (
  name       text        primary key,
  applied_at timestamptz not null default now()
);

create table if not exists public.scans (
  id                 uuid        primary key default gen_random_uuid(),
  project            text        not null,
  project_root       text        not null,
  tsconfig           text        not null,
  git_commit         text,
  git_branch         text,
  typescript_version text,
  tsfix_version      text,
  tsc_exit_code      integer,
  complete           boolean     not null default true,
  started_at         timestamptz not null,
  duration_ms        integer     not null default 0,
  tsc_ms             integer     not null default 0,
  error_count        integer     not null default 0,
  warning_count      integer     not null default 0,
  file_count         integer     not null default 0,
  new_count          integer     not null default 0,
  open_count         integer     not null default 0,
  reopened_count     integer     not null default 0,
  fixed_count        integer     not null default 0,
  created_at         timestamptz not null default now()
);
create index if not exists scans_project_created on public.scans (project, created_at desc);

create table if not exists public.typescript_errors (
  id              uuid        primary key default gen_random_uuid(),
  project         text        not null,
  fingerprint     text        not null,
  file_path       text,
  line            integer,
  col             integer,
  code            text        not null,
  category        text        not null check (category in ('error', 'warning', 'suggestion', 'message')),
  message         text        not null,
  code_snippet    text,
  context         jsonb,
  file_hash       text,
  status          text        not null default 'new'
                  check (status in ('new', 'ai_suggested', 'applied', 'fixed', 'dismissed')),
  occurrences     integer     not null default 1,
  first_seen_scan uuid        not null references public.scans (id),
  last_seen_scan  uuid        not null references public.scans (id),
  fixed_in_scan   uuid        references public.scans (id),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (project, fingerprint)
);
create index if not exists typescript_errors_project_status on public.typescript_errors (project, status);
create index if not exists typescript_errors_project_file on public.typescript_errors (project, file_path);
create index if not exists typescript_errors_project_code on public.typescript_errors (project, code);
create index if not exists typescript_errors_last_seen on public.typescript_errors (project, last_seen_scan);

-- Transitions only (first seen, fixed, reopened, status changes).
create table if not exists public.error_events (
  id          bigint      generated always as identity primary key,
  error_id    uuid        not null references public.typescript_errors (id) on delete cascade,
  scan_id     uuid        references public.scans (id),
  event       text        not null check (event in ('new', 'reopened', 'fixed', 'status')),
  from_status text,
  to_status   text,
  detail      text,
  created_at  timestamptz not null default now()
);
create index if not exists error_events_error on public.error_events (error_id, id);

-- Filled by `tsfix suggest`.
create table if not exists public.ai_suggestions (
  id           uuid        primary key default gen_random_uuid(),
  error_id     uuid        not null references public.typescript_errors (id) on delete cascade,
  fixer        text        not null check (fixer in ('quickfix', 'repair', 'llama', 'openai')),
  model_name   text,
  suggestion   text        not null,
  edits        jsonb       not null,
  explanation  text,
  confidence   real        not null check (confidence >= 0 and confidence <= 1),
  verified     boolean     not null default false,
  verification jsonb,
  base_hashes  jsonb       not null default '{}'::jsonb,
  tokens_in    integer,
  tokens_out   integer,
  latency_ms   integer,
  generated_at timestamptz not null default now(),
  applied_at   timestamptz
);
create index if not exists ai_suggestions_error on public.ai_suggestions (error_id, confidence desc);

insert into public.tsfix_migrations (name) values ('0001_init') on conflict (name) do nothing;
