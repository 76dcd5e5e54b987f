"""Reading built report pages in tests: sections by heading."""

from __future__ import annotations

import html
import re


def h2_sections(page: str) -> dict[str, str]:
    """The page's `##` sections: heading text (entities decoded, anchor mark dropped) -> the HTML
    up to the next heading."""
    found = {}
    for part in re.split(r"<h2[^>]*>", page)[1:]:
        heading, _, body = part.partition("</h2>")
        text = html.unescape(re.sub(r"<[^>]+>", "", heading))
        found[text.replace("¶", "").strip()] = body
    return found
