"""The shared pages of a list: what a page number typed in the address opens, the bounded
count, and the parameters kept in the pager's links."""

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict

from cabinet import pagination
from cabinet.pagination import page_number, paginate, paginate_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    """``groups(n)``: n rows in a stable order (by name)."""

    def _make(n: int):
        Group.objects.bulk_create(Group(name=f"groupe-{i:03d}") for i in range(n))
        return Group.objects.order_by("name")

    return _make


@pytest.mark.parametrize("text", [None, "", "abc", "0", "-3", "2.5", "1e3", "٣", "+2"])
def test_a_page_number_that_is_not_a_positive_whole_number_opens_the_first_page(text):
    assert page_number(text) == 1


def test_a_page_number_is_read_and_a_huge_one_kept_within_bounds():
    assert page_number(" 7 ") == 7
    assert page_number("0042") == 42
    # Past any list's end, without an OFFSET that SQLite could not hold.
    assert page_number("9" * 40) == 10**9


def test_page_two_shows_the_next_rows_and_the_count(groups):
    qs = groups(7)
    page = paginate_list(qs, QueryDict("page=2"), per_page=3)
    assert [g.name for g in page] == ["groupe-003", "groupe-004", "groupe-005"]
    assert (page.number, page.has_previous, page.has_next, page.count, page.count_capped) == (2, True, True, 7, False)
    assert page.has_other_pages and len(page) == 3


@pytest.mark.parametrize("asked", ["3", "4", "99", "9" * 40])
def test_a_page_beyond_the_end_opens_the_last_page(groups, asked):
    qs = groups(7)
    page = paginate_list(qs, QueryDict(f"page={asked}"), per_page=3)
    assert page.number == 3 and [g.name for g in page] == ["groupe-006"]
    assert page.has_previous and not page.has_next


def test_beyond_the_end_of_a_list_longer_than_the_count_cap_the_last_page_is_still_found(groups, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    qs = groups(11)
    page = paginate_list(qs, QueryDict("page=50"), per_page=2)
    assert page.number == 6 and [g.name for g in page] == ["groupe-010"]
    assert page.count == 4 and page.count_capped  # the page itself still shows the bounded count


def test_an_empty_list_has_a_single_empty_page(groups):
    page = paginate_list(groups(0), QueryDict("page=5"), per_page=3)
    assert page.number == 1 and list(page) == [] and not page and not page.has_other_pages and page.count == 0


def test_the_pager_keeps_the_other_parameters_of_the_address(groups):
    qs = groups(7)
    page = paginate_list(qs, QueryDict("q=Lom%C3%A9&recues=3&page=2"), per_page=3)
    assert QueryDict(page.query_string) == QueryDict("q=Lom%C3%A9&recues=3")
    other = paginate_list(qs, QueryDict("q=x&recues=2&page=2"), param="recues", per_page=3)
    assert other.param == "recues" and other.number == 2
    assert QueryDict(other.query_string) == QueryDict("q=x&page=2")


def test_the_register_pages_are_unchanged_past_the_end(groups):
    """The register keeps its own answer to a page past the end: an empty page, still counted
    (its keyset links never lead there)."""
    page = paginate(groups(7), page=9, per_page=3)
    assert page.number == 9 and list(page) == [] and page.count == 7 and page.param == "page"


def test_typed_text_drops_nul_characters_and_keeps_the_limit():
    from django.http import QueryDict

    from cabinet.pagination import typed_text

    params = QueryDict("q=amb%00assade&long=" + "x" * 300)
    assert typed_text(params) == "ambassade"
    assert len(typed_text(params, "long")) == 200
    assert typed_text(params, "absent") == ""


@pytest.mark.parametrize(
    ("text", "number"), [("12", 12), (" 7 ", 7), ("²", None), ("١٢", None), ("-3", None), ("", None), ("9" * 10, None)]
)
def test_whole_number_reads_only_ascii_digits(text, number):
    from cabinet.pagination import whole_number

    assert whole_number(text) == number
