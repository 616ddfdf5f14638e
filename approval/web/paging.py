"""Lists in pages: the page number from the query, and a page past the end shown as the last."""

from __future__ import annotations

from collections.abc import Callable

from flask import request

from ..numbers import page_count, parse_page


def page_arg(name: str = "page") -> int:
    """The requested page: 1 when absent or not a number (``²``, ``-1``), at most numbers.PAGE_MAX."""
    return parse_page(request.args.get(name))


def paged(fetch: Callable[[int], tuple[list, int]], page: int, per_page: int
          ) -> tuple[list, int, int, int]:
    """(items, total, page, pages): ``fetch(page)`` -> (items, total); past the end, the last page."""
    items, total = fetch(page)
    pages = page_count(total, per_page)
    if page > pages:
        page = pages
        items, total = fetch(page)
        pages = page_count(total, per_page)
    return items, total, page, pages


__all__ = ["page_arg", "paged"]
