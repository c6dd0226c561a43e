"""Pages of a list, shared by every app: the rows of one page and a bounded count, never a
COUNT(*) over the whole table on each page view.

A page fetches one row more than it shows (is there a next page?) and counts the matching
rows up to ``COUNT_CAP`` (« plus de 1 000 résultats »): two queries whatever the size of the
list. The pager is ``templates/includes/pagination.html``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

COUNT_CAP = 1_000
PER_PAGE = 50
# A page number longer than this is beyond the end of any list here; it is not turned into an
# OFFSET (SQLite refuses integers past 2**63).
_MAX_DIGITS = 9


@dataclass
class Page:
    rows: list
    number: int
    has_previous: bool
    has_next: bool
    # Counting a million rows on every page view is what we avoid: the count stops at
    # COUNT_CAP ("plus de 1 000").
    count: int
    count_capped: bool
    # Keyset pages (the register sorted by registration time): the position after which the
    # next page starts and before which the previous one ends, for the links.
    next_after: str = ""
    previous_before: str = ""
    # The address parameter that carries this list's page number (each list of a page with
    # several has its own), and the rest of the address, kept in the pager's links.
    param: str = "page"
    query_string: str = ""

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def paginate(qs: QuerySet, *, page: int, per_page: int = PER_PAGE) -> Page:
    """Offset pages without COUNT(*) over the whole table: fetch one row more than shown to
    know whether a next page exists, and a count bounded by COUNT_CAP."""
    page = max(1, page)
    start = (page - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return bounded_page(qs, rows[:per_page], number=page, has_previous=page > 1, has_next=len(rows) > per_page)


def bounded_page(qs: QuerySet, rows: list, *, number: int, has_previous: bool, has_next: bool) -> Page:
    """A page of ``qs`` with its count bounded by COUNT_CAP."""
    bounded = qs.order_by()[: COUNT_CAP + 1].count()
    return Page(
        rows=rows,
        number=number,
        has_previous=has_previous,
        has_next=has_next,
        count=min(bounded, COUNT_CAP),
        count_capped=bounded > COUNT_CAP,
    )


def page_number(text: str | None) -> int:
    """The page asked for in the address; 1 for anything but a positive whole number (« abc »,
    « 0 », « -3 »). A number past any list's end is kept: ``paginate_list`` answers it."""
    number = whole_number(text)
    if number is None:
        text = (text or "").strip()
        return 10**_MAX_DIGITS if text.isascii() and text.isdigit() else 1  # too many digits: past the end
    return max(1, number)


def typed_text(params: QueryDict, name: str = "q", *, limit: int = 200) -> str:
    """Text typed in a search box and read from the address: at most ``limit`` characters,
    without NUL characters, which PostgreSQL refuses in a query (a server error before)."""
    return params.get(name, "").replace("\x00", "")[:limit]


def whole_number(text: str) -> int | None:
    """A positive whole number written with the digits 0-9, else None (« ² » passes
    ``str.isdigit`` but not ``int``)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS else None


def query_without(params: QueryDict, *names: str) -> str:
    """The address's parameters without ``names``, for links that set them again."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def paginate_list(qs: QuerySet, params: QueryDict, *, param: str = "page", per_page: int = PER_PAGE) -> Page:
    """The page of ``qs`` that ``?<param>=N`` asks for, with the other parameters (filters,
    the other lists' pages) kept for the pager's links. A page number that cannot be read
    opens the first page; one beyond the end (a typed address, or rows gone since the link was
    made) opens the last page."""
    number = page_number(params.get(param))
    result = paginate(qs, page=number, per_page=per_page)
    if not result.rows and number > 1:
        # Only here is the list counted exactly: past COUNT_CAP the bounded count cannot say
        # which page is the last.
        total = result.count if not result.count_capped else qs.order_by().count()
        result = paginate(qs, page=max(1, math.ceil(total / per_page)), per_page=per_page)
    result.param = param
    result.query_string = query_without(params, param)
    return result
