"""The words every layer shows its user: the hint for a mistyped name, and the notice that says
which data a page shows (the synthetic demo or national microdata).

Standard library only, so that the build's index page and its error messages use them without
loading pandas.
"""

from __future__ import annotations

import difflib


def closest(name: object, choices) -> str | None:
    """The choice closest to a mistyped name, or None when none is close."""
    match = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(name: object, choices) -> str:
    """' (did you mean 'x'?)' for the choice closest to a mistyped name, or ''."""
    match = closest(name, choices)
    return f" (did you mean {match!r}?)" if match is not None else ""


def data_notice_html(synthetic: bool, text: str) -> str:
    """The banner that says which data a page shows; every report, the index and the codebook
    page carry one. `text` (HTML, escaped by the caller) says what of the page it concerns."""
    if synthetic:
        return f'<div class="notice synthetic"><strong>Synthetic demo data.</strong> {text}</div>'
    return f'<div class="notice real"><strong>National survey data.</strong> {text}</div>'
