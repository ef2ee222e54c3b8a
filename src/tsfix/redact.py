"""Keep secrets out of everything tsfix prints, logs or stores.

Store URLs lose their passwords before they are shown (`redact_url`); transports register the
passwords and keys they use (`register_secret`); and every message the CLI prints passes through
`scrub`, which also hides anything shaped like a JWT (Supabase keys are JWTs).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

_SECRETS: set[str] = set()
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_SECRET_PARAMS = {"password", "sslpassword", "apikey", "api_key", "key", "token"}
MASK = "***"


def register_secret(value: str | None) -> None:
    """Remember a secret so `scrub` removes it from any text (short values are too risky to match)."""
    if value and len(value) >= 4:
        _SECRETS.add(value)
        encoded = quote(value, safe="")
        if encoded != value:
            _SECRETS.add(encoded)


def scrub(text: str) -> str:
    """`text` with every registered secret and every JWT replaced by ***."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _JWT.sub(MASK, text)


def redact_url(url: str) -> str:
    """A connection URL fit to show: no password in the user part or the query string."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if parts.password is not None:
        register_secret(parts.password)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        for key, value in pairs:
            if key.lower() in _SECRET_PARAMS:
                register_secret(value)
        query = urlencode([(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
