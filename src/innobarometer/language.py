"""The reports' languages: which exist, the gettext catalogs that translate the package's text,
numbers as each language writes them, and text rendered in every language of a build at once.

One execution of a report serves every language it is published in (issue 16, "compute once"):
the numbers are computed once, and only the words are rendered per language. A function
decorated with `in_every_language` is called once per language under `speaking(language)` and
returns its English result carrying the others (`Text.translations`); the report layer shows such
text with every language in the output, and the export picks one language per page.

Catalogs: `locale/<language>/LC_MESSAGES/innobarometer.po` in the package, one per language
beside English, keyed by the English text (`_`, `ngettext`; plural forms from each catalog's
header). They are compiled to `.mo` under `build/locale/` when the `.po` is newer (Babel), so
that a researcher edits the `.po` and the next build uses it. `python -m innobarometer
translations` updates the template and lists what each catalog lacks.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from innobarometer import paths

ENGLISH = "en"
# Every language a report can be published in: English first, then the national languages.
LANGUAGES = ("en", "da", "nb", "sv", "fi", "is")
# Each country's own language: its editions' reports are published in it beside English.
COUNTRY_LANGUAGE = {"DK": "da", "NO": "nb", "SE": "sv", "FI": "fi", "IS": "is"}
# Each language's name in itself, for the links between a page's languages.
LANGUAGE_NAMES = {
    "en": "English",
    "da": "Dansk",
    "nb": "Norsk bokmål",
    "sv": "Svenska",
    "fi": "Suomi",
    "is": "Íslenska",
}
# The languages a kernel renders text in: set by the build for each report (a comma list,
# English first); a notebook run by hand renders English only.
LANGUAGES_ENV = "INNOBAROMETER_LANGUAGES"
DOMAIN = "innobarometer"
LOCALE_DIR = paths.PACKAGE_DIR / "locale"

_speaking: contextvars.ContextVar[str] = contextvars.ContextVar("speaking", default=ENGLISH)


def check_language(code: str) -> str:
    """`code` if it is one of LANGUAGES; else a ValueError naming the ones there are."""
    if code not in LANGUAGES:
        raise ValueError(f"no language {code!r}: the languages are {', '.join(LANGUAGES)}")
    return code


def report_languages() -> tuple[str, ...]:
    """The languages this kernel renders text in (`LANGUAGES_ENV`), English always first."""
    named = [c.strip() for c in os.environ.get(LANGUAGES_ENV, "").split(",") if c.strip()]
    return tuple(dict.fromkeys([ENGLISH, *map(check_language, named)]))


def current() -> str:
    """The language text is being rendered in."""
    return _speaking.get()


@contextlib.contextmanager
def speaking(language: str) -> Iterator[str]:
    """Render text in `language` within the block."""
    token = _speaking.set(check_language(language))
    try:
        yield language
    finally:
        _speaking.reset(token)


def po_path(language: str) -> Path:
    """The catalog a translator edits."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    """The compiled catalog the reports read (`build/locale/`)."""
    return paths.build_dir() / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_catalog(language: str) -> Path | None:
    """The language's compiled catalog, compiled again when its `.po` is newer; None without a
    `.po` (English, or a language not yet translated)."""
    source, target = po_path(language), mo_path(language)
    if not source.is_file():
        return None
    if target.is_file() and target.stat().st_mtime_ns >= source.stat().st_mtime_ns:
        return target
    # lazy: Babel's catalog reader loads only when a catalog changed
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(source, "rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    # Fuzzy entries are drafts: they do not count as translated (`missing_translations`).
    write_mo(buffer, catalog, use_fuzzy=False)
    paths.write_atomically(target, buffer.getvalue())
    return target


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """The language's translations (the English text itself for English or without a catalog)."""
    compiled = None if language == ENGLISH else compile_catalog(language)
    if compiled is None:
        return gettext.NullTranslations()
    with open(compiled, "rb") as handle:
        return gettext.GNUTranslations(handle)


def forget_catalogs() -> None:
    """Read the catalogs again on next use (a test or a long kernel after a `.po` changed)."""
    _translations.cache_clear()


def translation(message: str, language: str | None = None) -> str | None:
    """`message` in `language` (default: the current one), or None when its catalog lacks it."""
    language = language or current()
    if language == ENGLISH or not message:
        return message
    translated = _translations(language).gettext(message)
    return None if translated == message else translated


def _(message: str) -> str:
    """`message` (an English whole sentence or label, the catalog key) in the current language;
    English where the catalog lacks it (the completeness test catches that in shipped text)."""
    if current() == ENGLISH or not message:
        return message
    return _translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for `count` in the current language (its catalog's plural rule)."""
    if current() == ENGLISH:
        return singular if count == 1 else plural
    return _translations(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalogs without translating it here (a constant translated where
    it is shown)."""
    return message


class Text(str):
    """English text that carries its renderings in the other languages of the build."""

    translations: dict[str, str]

    def __new__(cls, english: str, translations: dict[str, str] | None = None):
        text = super().__new__(cls, english)
        text.translations = {ENGLISH: str(english), **(translations or {})}
        return text

    def in_language(self, language: str) -> str:
        """The text in `language` (English where it was not rendered in it)."""
        return self.translations.get(language, str(self))


def rendered(value, language: str) -> str:
    """`value` in `language`: a `Text`'s rendering, else the value itself."""
    if isinstance(value, Text):
        return value.in_language(language)
    return value


def in_every_language(function: Callable) -> Callable:
    """Decorate a function returning text: it runs once per language of the build, under
    `speaking`, and returns the English result with every rendering in `translations` (a result
    of a `str` subclass, such as a sentence carrying its claims, keeps its attributes)."""

    @functools.wraps(function)
    def every_language(*args, **kwargs):
        results = {}
        for language in report_languages():
            with speaking(language):
                results[language] = function(*args, **kwargs)
        english = results[ENGLISH]
        if not isinstance(english, str):
            return english
        if isinstance(english, Text):
            english.translations.update({k: str(v) for k, v in results.items()})
            return english
        text = Text(english, {k: str(v) for k, v in results.items()})
        text.__dict__.update(getattr(english, "__dict__", {}))
        return text

    return every_language


# --- numbers as each language writes them (Babel, from CLDR) -------------------------------------


@functools.cache
def _percent_pattern(language: str, digits: int) -> str:
    """The language's percent pattern with `digits` decimals ('#,##0 %' -> '#,##0.0 %')."""
    # lazy: Babel's locale data loads only when a number is formatted
    from babel import Locale

    pattern = Locale.parse(language).percent_formats[None].pattern
    return pattern.replace("0", "0." + "0" * digits, 1) if digits else pattern


def _unsigned_zero(value: float, digits: int) -> float:
    """`value` rounded to `digits`, with a negative zero made plain zero (never '-0%')."""
    return round(value, digits) + 0.0


def percent(value: float, digits: int = 0) -> str:
    """A share as a percentage in the current language: '83%' (en), '83 %' (nb, a no-break
    space), '83,0 %' with one decimal."""
    # lazy: Babel's number formatting loads only when a number is formatted
    from babel.numbers import format_percent

    number = _unsigned_zero(100 * value, digits) / 100
    return format_percent(number, format=_percent_pattern(current(), digits), locale=current())


def number(value: float, digits: int = 0) -> str:
    """A number in the current language ('1.25' in en, '1,25' in nb), `digits` decimals."""
    # lazy: Babel's number formatting loads only when a number is formatted
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(_unsigned_zero(value, digits), format=pattern, locale=current())


def signed(value: float, digits: int = 1) -> str:
    """A difference with its sign ('+3.2', '-1.0'; '0.0' unsigned) in the current language."""
    text = number(abs(value), digits)
    zero = _unsigned_zero(value, digits) == 0 or math.isnan(value)
    return text if zero else ("+" if value > 0 else "-") + text


def percent_range(lower: float, upper: float) -> str:
    """An interval of shares: '81–85%' (en), '81–85 %' (nb): the percent sign once, after both."""
    low, high = percent(lower), percent(upper)
    number_part = low.rstrip("% \u00a0\u202f")
    return number_part + "–" + high


def percent_points(lower: float, upper: float) -> str:
    """Both ends of an interval as whole percentages without the sign: '81–85'."""
    return f"{number(100 * lower)}–{number(100 * upper)}"
