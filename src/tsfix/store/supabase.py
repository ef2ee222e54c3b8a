"""Supabase through supabase-py: the transport behind `--store supabase`.

supabase-py calls `{SUPABASE_URL}/rest/v1/rpc/<function>` (PostgREST). The key is the project's
service-role key: tsfix writes scans and suggestions, which row-level security allows only that role.
No DDL is possible over REST, so the schema is applied with `tsfix db migrate` over the database URL
(or `supabase db push`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tsfix.errors import StoreDenied, StoreError, StoreSchemaMissing, StoreUnreachable, UsageError
from tsfix.redact import register_secret, scrub
from tsfix.store.remote import Json, Transport, migrate_hint

REQUEST_TIMEOUT_S = 120


def supabase_settings(url: str | None = None) -> tuple[str, str]:
    """(project URL, key) from `supabase:<url>` or SUPABASE_URL, and SUPABASE_SERVICE_ROLE_KEY or SUPABASE_KEY."""
    project = url or os.environ.get("SUPABASE_URL", "")
    key = os.environ.get("SUPABASE_SERVICE_ROLE_KEY") or os.environ.get("SUPABASE_KEY") or ""
    if not project or not key:
        missing = " and ".join(
            name
            for name, value in (("SUPABASE_URL", project), ("SUPABASE_SERVICE_ROLE_KEY", key))
            if not value
        )
        raise UsageError(
            f"--store supabase needs {missing}",
            hint="set SUPABASE_URL (https://<ref>.supabase.co) and SUPABASE_SERVICE_ROLE_KEY "
            "(Project Settings → API; keep it secret, e.g. as a CI secret)",
        )
    register_secret(key)
    return project.rstrip("/"), key


def supabase_key_name(url: str | None) -> str:
    """The remote key of a Supabase store, without connecting and without the API key."""
    project = url or os.environ.get("SUPABASE_URL", "")
    return f"supabase:{project.rstrip('/')}"


class SupabaseTransport(Transport):
    """Calls tsfix's SQL functions through PostgREST with supabase-py."""

    def __init__(self, url: str | None = None, timeout: float = REQUEST_TIMEOUT_S) -> None:
        project, key = supabase_settings(url)
        self.display_url = f"supabase:{project}"
        self.remote_key = self.display_url
        import httpx
        from supabase import ClientOptions, SupabaseException, create_client

        self._http = httpx.Client(timeout=timeout)
        try:
            self.client = create_client(
                project,
                key,
                options=ClientOptions(
                    httpx_client=self._http, auto_refresh_token=False, persist_session=False
                ),
            )
        except SupabaseException as exc:
            raise UsageError(
                f"cannot use SUPABASE_URL {project!r}: {scrub(str(exc))}", hint="https://<ref>.supabase.co"
            ) from None

    def call(self, function: str, args: dict[str, Any]) -> Any:
        params = {name: (value.value if isinstance(value, Json) else value) for name, value in args.items()}
        return self._request(lambda: self.client.rpc(function, params).execute().data)

    def applied_migrations(self) -> list[str]:
        # a plain table read (service_role and authenticated may select it): no SQL function needed,
        # so it works on a schema of any version
        rows = self._request(lambda: self.client.table("tsfix_migrations").select("name").execute().data)
        return [row["name"] for row in rows]

    def _request(self, send: Callable[[], Any]) -> Any:
        """Send one request; its failures become tsfix errors (schema missing, denied, unreachable)."""
        import httpx
        from postgrest.exceptions import APIError

        try:
            return send()
        except APIError as exc:
            raise self._translate(exc) from None
        except httpx.TimeoutException:
            raise StoreUnreachable(
                f"{self.display_url} did not answer within {REQUEST_TIMEOUT_S} s", hint="try again later"
            ) from None
        except httpx.HTTPError as exc:
            raise StoreUnreachable(
                f"cannot reach {self.display_url}: {scrub(str(exc)) or type(exc).__name__}",
                hint="is SUPABASE_URL right and the project up?",
            ) from None

    def _translate(self, exc: Any) -> StoreError:
        code = str(exc.code or "")
        detail = scrub(str(exc.message or exc.details or code))
        if code == "PGRST202" or code in ("42883", "42P01"):
            return StoreSchemaMissing(
                f"{self.display_url} lacks the tsfix schema: {detail}", hint=migrate_hint(self.display_url)
            )
        if code.startswith("PGRST3") or code in ("401", "403", "42501"):
            return StoreDenied(
                f"{self.display_url} refused the key: {detail}",
                hint="use the project's service-role key in SUPABASE_SERVICE_ROLE_KEY (the anon key may not write)",
            )
        if code in ("502", "503", "504", "520"):
            return StoreUnreachable(
                f"{self.display_url} is unavailable ({code}): {detail}", hint="try again later"
            )
        return StoreError(
            f"{self.display_url} refused the operation ({code}): {detail}",
            hint="TSFIX_DEBUG=1 shows the details",
        )

    def close(self) -> None:
        self._http.close()
