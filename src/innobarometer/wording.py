"""The words every layer shows its user: the hint for a mistyped name, and the notice that says
which data a page shows (the synthetic demo or national microdata), in every language.

Standard library only (and `language`), so that the build's index page and its error messages
use them without loading pandas.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable

from innobarometer import language


def closest(name: object, choices) -> str | None:
    """The choice closest to a mistyped name, or None when none is close."""
    match = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(name: object, choices) -> str:
    """' (did you mean 'x'?)' for the choice closest to a mistyped name, or ''."""
    match = closest(name, choices)
    return f" (did you mean {match!r}?)" if match is not None else ""


def in_all_languages(function: Callable[..., str]) -> Callable[..., language.Text]:
    """Decorate a function that renders text in the current language: it runs under
    `language.speaking` for each of `language.LANGUAGES` and returns the English text carrying
    every rendering. For the site's pages and headers, which the build makes outside a report's
    kernel for every language it publishes (pick one with `.in_language(code)`)."""

    @functools.wraps(function)
    def all_languages(*args, **kwargs) -> language.Text:
        renderings = {}
        for code in language.LANGUAGES:
            with language.speaking(code):
                renderings[code] = function(*args, **kwargs)
        return language.Text(renderings[language.ENGLISH], renderings)

    return all_languages


@in_all_languages
def data_notice_html(synthetic: bool, text: str) -> str:
    """The banner that says which data a page shows; every report, the index and the codebook
    page carry one. `text` (HTML, escaped by the caller; a `language.Text` for its renderings)
    says what of the page it concerns."""
    body = language.rendered(text, language.current())
    if synthetic:
        label = language._("Synthetic demo data.")
        return f'<div class="notice synthetic"><strong>{label}</strong> {body}</div>'
    label = language._("National survey data.")
    return f'<div class="notice real"><strong>{label}</strong> {body}</div>'
