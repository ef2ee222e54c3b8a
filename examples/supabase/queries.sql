-- Queries for a team's tsfix store, for Supabase's SQL editor (or psql on any tsfix Postgres).
-- Replace 'github.com/acme/web' with your project key (`tsfix scan --format json | jq .scan.project`).

-- 1. Open errors by code over time: after each scan, how many errors of each code were open.
--    Built from the history of transitions (first seen / reopened +1, fixed -1).
with deltas as (
  select s.id as scan_id, s.created_at, s.git_commit, e.code,
         sum(case ev.event when 'fixed' then -1 else 1 end) as delta
  from public.error_events ev
  join public.typescript_errors e on e.id = ev.error_id
  join public.scans s on s.id = ev.scan_id
  where e.project = 'github.com/acme/web'
    and ev.event in ('new', 'reopened', 'fixed')
  group by s.id, s.created_at, s.git_commit, e.code
)
select created_at, left(git_commit, 8) as commit, code,
       sum(delta) over (partition by code order by created_at) as open_errors
from deltas
order by created_at, code;

-- 2. Open errors by file over time: the same, per file.
with deltas as (
  select s.created_at, e.file_path,
         sum(case ev.event when 'fixed' then -1 else 1 end) as delta
  from public.error_events ev
  join public.typescript_errors e on e.id = ev.error_id
  join public.scans s on s.id = ev.scan_id
  where e.project = 'github.com/acme/web'
    and ev.event in ('new', 'reopened', 'fixed')
  group by s.created_at, e.file_path
)
select created_at, file_path,
       sum(delta) over (partition by file_path order by created_at) as open_errors
from deltas
order by created_at, open_errors desc;

-- 3. Where the open errors are now, worst files first.
select file_path, count(*) as open_errors, string_agg(distinct code, ', ' order by code) as codes
from public.typescript_errors
where project = 'github.com/acme/web'
  and status in ('new', 'ai_suggested', 'applied')
group by file_path
order by open_errors desc, file_path
limit 20;

-- 4. Scans per project: errors and what changed, newest first.
select project, created_at, git_branch, left(git_commit, 8) as commit, typescript_version,
       error_count, new_count, fixed_count, reopened_count, complete
from public.scans
order by created_at desc
limit 50;

-- 5. Suggestions by confidence (filled by `tsfix suggest`): how many, how many verified, by fixer.
select s.fixer,
       width_bucket(s.confidence, 0, 1, 5) as bucket,
       round(min(s.confidence)::numeric, 2) as from_confidence,
       round(max(s.confidence)::numeric, 2) as to_confidence,
       count(*) as suggestions,
       count(*) filter (where s.verified) as verified,
       count(*) filter (where s.applied_at is not null) as applied
from public.ai_suggestions s
join public.typescript_errors e on e.id = s.error_id
where e.project = 'github.com/acme/web'
group by s.fixer, bucket
order by s.fixer, bucket desc;

-- 6. The most confident verified suggestion for each open error.
select distinct on (e.id) e.file_path, e.line, e.code, left(e.message, 80) as message,
       s.fixer, round(s.confidence::numeric, 2) as confidence
from public.typescript_errors e
join public.ai_suggestions s on s.error_id = e.id and s.verified
where e.project = 'github.com/acme/web'
  and e.status in ('new', 'ai_suggested')
order by e.id, s.confidence desc;
