"""Share links: the state a URL carries, so a copied link reopens the same session.

The plain form `/?code=<URL-encoded code>` always works; other parameters (lang, view, var,
lesson, seed) are added only when they differ from the defaults."""
from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit, urlunsplit

__all__ = ["share_link"]


def share_link(page_url: str | None, params: dict) -> str:
    """The page's address with `params` as its query (empty values dropped); relative if unknown."""
    scheme, netloc, path, _, _ = urlsplit(page_url or "/")
    query = urlencode({k: str(v) for k, v in params.items() if v not in (None, "")}, quote_via=quote)
    return urlunsplit((scheme, netloc, path or "/", query, ""))
