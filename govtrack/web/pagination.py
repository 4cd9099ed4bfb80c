"""Plain ?page=N pagination: which slice of a list a page shows, and links to the others."""

from dataclasses import dataclass

from flask import request

#: pages linked on each side of the current one (the first and last are always linked)
AROUND = 2


@dataclass(frozen=True)
class Pagination:
    """Page `number` (from 1) of `total` rows, `per_page` to a page."""

    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (one, even for an empty list)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.per_page

    @property
    def links(self) -> list[int | None]:
        """Page numbers to link, in order; None stands for a gap of pages not linked."""
        shown = sorted({1, self.pages} | set(range(max(1, self.number - AROUND),
                                                   min(self.pages, self.number + AROUND) + 1)))
        links: list[int | None] = []
        for n in shown:
            if links and n - links[-1] > 1:
                links.append(None)
            links.append(n)
        return links


def paginate(total: int, per_page: int) -> Pagination:
    """The page the request asks for (?page=N), kept within the pages there are."""
    requested = request.args.get("page", 1, type=int)
    page = Pagination(1, per_page, total)
    return Pagination(min(max(requested, 1), page.pages), per_page, total)
