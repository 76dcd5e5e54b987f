"""The translation catalogs: what the package and the notebooks say (the catalog template) and
what each language's catalog still lacks.

Keys are the English text: the package's marked strings (`_`, `N_`, `ngettext` of
`innobarometer.language`), every paragraph of the notebooks' markdown cells, and the text the
notebooks pass to the report layer (string arguments of `report.` calls that read as words:
with a space or a capital, so names of indicators and tables stay out, and the titles a notebook
keeps in a variable). The published indicators' labels (indicators.yaml) are keys too. A
language's codebook wording (`locale/<language>/codebook.yaml`) is checked beside its catalog.
The extractor does not read inside f-strings: a marked string there is never a key (a test
holds it), so such words are constants marked with `N_`.

`python -m innobarometer translations` writes the template and lists, per language, what is
missing; `--update LANG` merges the template into that language's catalog (new keys empty,
changed ones fuzzy, gone ones dropped) for a translator to fill in.
"""

from __future__ import annotations

import ast
import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from innobarometer import codebook, language, paths

TEMPLATE = language.LOCALE_DIR / f"{language.DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# The date every catalog header carries: the same keys give the same bytes.
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Message:
    """A key of the catalogs, its plural (for counted messages) and where it comes from."""

    key: str
    plural: str = ""
    origin: str = ""


def package_messages() -> list[Message]:
    """The package's marked strings, in file order."""
    # lazy: Babel's extractor loads only for the translations command and its test
    from babel.messages.extract import extract_from_dir

    found = extract_from_dir(
        str(paths.PACKAGE_DIR),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    )
    messages = []
    for filename, _line, message, _comments, _context in found:
        origin = f"innobarometer/{filename}"
        if isinstance(message, tuple):
            messages.append(Message(message[0], message[1], origin))
        elif message:
            messages.append(Message(message, "", origin))
    return messages


def notebook_messages(notebook: Path) -> list[Message]:
    """A theme notebook's paragraphs of markdown and the words it passes to the report layer."""
    # lazy: jupytext loads only for the translations command and its test
    import jupytext

    # lazy: the report layer's markdown keys (the pipeline may import it; kept out of a no-op
    # build's imports)
    from innobarometer.report.languages import markdown_paragraphs

    origin = f"notebooks/{notebook.name}"
    messages = []
    for cell in jupytext.read(notebook, fmt="py:percent").cells:
        if cell.cell_type == "markdown":
            messages += [Message(key, "", origin) for key in markdown_paragraphs(cell.source)]
        elif cell.cell_type == "code":
            messages += [Message(text, "", origin) for text in report_call_words(cell.source)]
    return messages


def report_call_words(code: str) -> list[str]:
    """The words of a notebook's code: string arguments of `report.` calls that read as words (a
    space or a capital in them), and every other string with a space in it (a title kept in a
    variable first), but not a model formula (`~`) or a fragment with spaces at its ends."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    words = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and " " in node.value
        and node.value == node.value.strip()
        and "~" not in node.value
    ]
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "report"
        ):
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                text = argument.value
                if text.strip() and (" " in text or text[:1].isupper()):
                    words.append(text)
    return list(dict.fromkeys(words))


def indicator_messages() -> list[Message]:
    """The published indicators' labels (indicators.yaml), which tables and charts show."""
    # lazy: the indicators load only for the translations command and its test
    from innobarometer.indicators import load_indicators

    return [
        Message(indicator.label, "", "innobarometer/indicators.yaml")
        for indicator in load_indicators().indicators.values()
        if indicator.label
    ]


def scope_messages() -> list[Message]:
    """The scopes of the published figures (reference/headline_figures.csv), which the tables of
    published figures show."""
    with open(paths.REFERENCE_DIR / "headline_figures.csv", encoding="utf-8", newline="") as f:
        scopes = dict.fromkeys(row["scope"] for row in csv.DictReader(f) if row["scope"])
    return [Message(scope, "", "innobarometer/reference/headline_figures.csv") for scope in scopes]


def all_messages() -> list[Message]:
    """Every key the shipped reports may show, each once, in order of first appearance."""
    messages = package_messages() + indicator_messages() + scope_messages()
    for notebook in sorted(paths.notebooks_dir().glob("*.py")):
        if not notebook.name.startswith("_"):
            messages += notebook_messages(notebook)
    unique: dict[str, Message] = {}
    for message in messages:
        unique.setdefault(message.key, message)
    return list(unique.values())


def template_catalog(messages: list[Message]):
    """The catalog template (Babel `Catalog`) of the keys."""
    # lazy: Babel loads only for the translations command and its test
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="innobarometer", domain=language.DOMAIN, fuzzy=False)
    for message in messages:
        key = (message.key, message.plural) if message.plural else message.key
        catalog.add(key, auto_comments=[message.origin])
    return catalog


def _po_bytes(catalog) -> bytes:
    """A catalog as .po bytes, stable between runs (no dates, no line numbers)."""
    # lazy: Babel loads only for the translations command and its test
    from babel.messages.pofile import write_po

    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, sort_output=False)
    return buffer.getvalue()


def read_catalog(code: str):
    """A language's catalog (an empty one with its plural rule when it has none yet)."""
    # lazy: Babel loads only for the translations command and its test
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = language.po_path(code)
    if not path.is_file():
        return Catalog(locale=code, domain=language.DOMAIN, project="innobarometer", fuzzy=False)
    with open(path, "rb") as handle:
        return read_po(handle, locale=code, domain=language.DOMAIN)


def update_catalog(code: str, messages: list[Message]) -> int:
    """Merge the keys into a language's catalog file; how many it still lacks. A translation
    whose key is gone is kept as obsolete (`#~`) and comes back if its key does (a paragraph
    restored, or an update run from a project with fewer notebooks)."""
    catalog = read_catalog(code)
    for key, message in list(catalog.obsolete.items()):
        if key not in catalog:
            catalog[key] = message
    catalog.obsolete.clear()
    catalog.update(template_catalog(messages), update_header_comment=False)
    paths.write_atomically(language.po_path(code), _po_bytes(catalog))
    language.forget_catalogs()
    return len(missing_messages(code, messages))


def missing_messages(code: str, messages: list[Message]) -> list[Message]:
    """The keys a language's catalog lacks: absent, empty or fuzzy (a draft)."""
    catalog = read_catalog(code)
    missing = []
    for message in messages:
        entry = catalog.get(message.key)
        strings = entry.string if entry is not None else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(texts):
            missing.append(message)
    return missing


def missing_codebook_wording(code: str) -> list[str]:
    """What a language's codebook file lacks: each variable's label, question and category and
    option labels the reports show, the batteries and the don't know / not relevant labels."""
    english = codebook.parse_codebook(codebook.CODEBOOK_PATH)
    path = codebook.codebook_translation_path(code)
    raw = (codebook.read_yaml(path) or {}) if path.is_file() else {}
    given = raw.get("variables") or {}
    missing = [f"batteries.{b}" for b in english.batteries if b not in (raw.get("batteries") or {})]
    missing += [
        f"non_substantive_codes.{c}"
        for c in english.non_substantive_labels
        if c not in (raw.get("non_substantive_codes") or {})
    ]
    for name, var in english.variables.items():
        if var.theme == "design" and not var.categories:
            continue
        entry = given.get(name) or {}
        missing += [f"variables.{name}.{k}" for k in ("label", "question") if not entry.get(k)]
        for key, labels in (("categories", var.categories), ("options", var.options)):
            have = {str(c) for c in (entry.get(key) or {})}
            missing += [f"variables.{name}.{key}.{c}" for c in labels if str(c) not in have]
    return missing


def run(update: list[str], check: bool) -> int:
    """The translations command: write the template, update the named catalogs, list what each
    language lacks; with `check`, exit 1 when anything is missing."""
    messages = all_messages()
    paths.write_atomically(TEMPLATE, _po_bytes(template_catalog(messages)))
    print(f"{TEMPLATE.name}: {len(messages)} keys")
    lacking = 0
    for code in language.LANGUAGES[1:]:
        if code in update:
            update_catalog(code, messages)
        missing = missing_messages(code, messages)
        wording = missing_codebook_wording(code)
        lacking += len(missing) + len(wording)
        print(
            f"{code} ({language.LANGUAGE_NAMES[code]}): {len(missing)} of {len(messages)} "
            f"catalog keys missing, {len(wording)} codebook texts missing"
        )
        for message in missing:
            first = message.key.splitlines()[0]
            print(f"  {message.origin}: {first[:90]}")
        for key in wording:
            print(f"  {codebook.codebook_translation_path(code).name}: {key}")
    return 1 if check and lacking else 0
