"""`build/datapackage.json`: a Frictionless Data Package (https://specs.frictionlessdata.io/)
listing every report's CSV with its fields, their types, units and meaning, and the notice of
which data the numbers come from.

Fields are read from each CSV's header, so a column a table gains is described too: a known
column from `FIELDS`, any other with the type its values have. Standard library only (the build
writes it on every run and loads no pandas or frictionless); `tests/test_share.py` validates it
with frictionless, and `make share` does before it copies anything.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from innobarometer import __version__, language, paths
from innobarometer.pipeline.plan import DataSet, Report, theme_title
from innobarometer.pipeline.site import (
    edition_label,
    is_edition,
    language_folder,
    report_editions,
    report_languages,
)

NAME = "datapackage.json"
PROPORTION = "proportion (0-1; 0.25 is 25%)"
# The columns the reports' tables use: name -> (Table Schema type, description, unit or None).
FIELDS: dict[str, tuple[str, str, str | None]] = {
    "section": ("string", "The report heading the table stands under.", None),
    "table": ("string", "The table's name within its report.", None),
    "indicator": (
        "string",
        "What is estimated: a codebook variable, one option or item of a battery, or a "
        "published indicator (see codebook.html).",
        None,
    ),
    "category": (
        "string",
        "The answer code estimated, as text ('1' for a yes/no item; 8 don't know, 9 not "
        "relevant); empty for an indicator.",
        None,
    ),
    "domain": (
        "string",
        "The units the estimate is over (all, innovators, ...), a subset of the whole design.",
        None,
    ),
    "group": (
        "string",
        "The group's code (a government level, sector, size class, edition or country); empty "
        "for the whole domain.",
        None,
    ),
    "estimate": (
        "number",
        "The estimate: a share or a difference of shares as a proportion; a mean where "
        "ci_method is t; empty for a model term (see odds_ratio).",
        PROPORTION + " for shares; the variable's own unit for means",
    ),
    "se": ("number", "The design-based (Taylor-linearised) standard error.", "as estimate"),
    "ci_lower": (
        "number",
        "Lower end of the 95% confidence interval (of the odds ratio for a model term).",
        "as estimate; as odds_ratio for a model term",
    ),
    "ci_upper": (
        "number",
        "Upper end of the 95% confidence interval (of the odds ratio for a model term).",
        "as estimate; as odds_ratio for a model term",
    ),
    "ci_method": (
        "string",
        "The interval method: logit, beta (Korn-Graubard), wilson, or t (methodology.html).",
        None,
    ),
    "n_unweighted": ("integer", "Responding units in the estimate's base.", "units"),
    "deff": ("number", "Design effect (variance over that of simple random sampling).", None),
    "suppressed": (
        "boolean",
        "Whether the cell is suppressed by disclosure control (estimate and interval blank).",
        None,
    ),
    "flag": ("string", "'unreliable' when too few effective units; else empty.", None),
    "label": ("string", "What a row compares or shows, in words.", None),
    "first": ("string", "The first side of a difference (a group, edition or country).", None),
    "second": ("string", "The second side of a difference.", None),
    "p": ("number", "Two-sided p-value of the difference, unadjusted.", "probability"),
    "p_holm": (
        "number",
        "The p-value adjusted by Holm within the table's family (methodology.html).",
        "probability",
    ),
    "n_first": ("integer", "Responding units behind the first side.", "units"),
    "n_second": ("integer", "Responding units behind the second side.", "units"),
    "term": ("string", "A regression term (a predictor level against its reference).", None),
    "odds_ratio": ("number", "The term's odds ratio (exp of its coefficient).", "ratio"),
    "n": ("integer", "Units in the model.", "units"),
    "published_edition": ("string", "The edition the published figure belongs to.", None),
    "scope": ("string", "The population the published figure covers.", None),
    "base": ("string", "The base of the published figure (whose percentage it is).", None),
    "published": ("number", "The published figure.", PROPORTION),
    "published_inside_interval": (
        "boolean",
        "Whether the published figure lies inside the estimate's 95% interval.",
        None,
    ),
    "source_key": ("string", "The published figure's source (reference/sources.csv).", None),
    "source_url": ("string", "The source's address.", None),
    "calibration_target": (
        "boolean",
        "Whether the synthetic demo data were calibrated to this figure.",
        None,
    ),
    "estimated_from": ("string", "The edition the estimate is computed from.", None),
    "set_against": ("string", "Which edition the published figure is set against.", None),
    "suppression": (
        "string",
        "Why a cell is suppressed: primary (too few units) or secondary (hidden to protect "
        "another cell); empty when shown.",
        None,
    ),
    "group_label": ("string", "The group's label in the report's language.", None),
    "category_label": ("string", "The category's label in the report's language.", None),
}
NOTICE = {
    "demo": "Synthetic demo data: generated by innobarometer's documented model and calibrated to "
    "published headline figures. The numbers are not survey results and must not be quoted as "
    "such.",
    "real": "National survey microdata, weighted to the population; cells from fewer units than "
    "the disclosure threshold are suppressed.",
}


def inferred_type(values: list[str]) -> str:
    """The Table Schema type every non-empty value fits: integer, number, boolean or string."""
    present = [v for v in values if v != ""]
    if not present:
        return "string"
    if all(v in ("True", "False") for v in present):
        return "boolean"
    if all(re.fullmatch(r"-?\d+", v) for v in present):
        return "integer"
    try:
        [float(v) for v in present]
    except ValueError:
        return "string"
    return "number"


def csv_fields(path: Path) -> list[dict]:
    """The fields of one report CSV, in its header's order."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    fields = []
    for index, name in enumerate(header):
        if name in FIELDS:
            kind, description, unit = FIELDS[name]
        else:
            kind, description, unit = inferred_type([r[index] for r in body]), "", None
        field = {"name": name, "type": kind}
        if description:
            field["description"] = description
        if unit:
            field["unit"] = unit
        fields.append(field)
    return fields


def resource(report: Report, build: Path, kind: str, code: str = language.ENGLISH) -> dict:
    """The data package's entry for one report's CSV in language `code` (its label columns and
    sections in that language; numbers and codes the same in every language)."""
    path = report.product(build / language_folder(code), ".csv")
    editions = ", ".join(edition_label(e) for e in report_editions(report))
    what = "one edition" if is_edition(report.key) else "editions side by side"
    name = re.sub(r"[^a-z0-9._-]+", "-", report.name.lower())
    return {
        "name": name if code == language.ENGLISH else f"{code}-{name}",
        "path": path.relative_to(build).as_posix(),
        "profile": "tabular-data-resource",
        "title": f"{theme_title(report.theme)}: {editions}",
        "description": f"Every table of the report {report.theme}/{report.key}.html ({what}), "
        f"stacked: a row per estimate, blank where not applicable. {NOTICE[kind]}",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": csv_fields(path)},
    }


def render_data_package(
    reports: list[Report],
    data_set: DataSet,
    build: Path,
    languages: tuple[str, ...] = (language.ENGLISH,),
) -> str:
    """The data package of every report's CSV that exists, in every language, as JSON text."""
    package = {
        "profile": "tabular-data-package",
        "name": f"innobarometer-{data_set.kind}-reports",
        "title": "Nordic Innovation Barometer reports: their tables",
        "description": NOTICE[data_set.kind]
        + " Each resource is the CSV of one report (index.html lists them); methodology.html "
        "says how the estimates are made, codebook.html what the codes mean.",
        "version": __version__,
        "innobarometer": {"data_set": data_set.kind, "notice": NOTICE[data_set.kind]},
        "resources": [
            resource(r, build, data_set.kind, code)
            for code in languages
            for r in reports
            if code in report_languages(r, languages)
            and r.product(build / language_folder(code), ".csv").is_file()
        ],
    }
    return json.dumps(package, indent=1, ensure_ascii=False) + "\n"


def write_data_package(
    reports: list[Report],
    data_set: DataSet,
    build: Path,
    languages: tuple[str, ...] = (language.ENGLISH,),
) -> None:
    """Write `build/datapackage.json` unless it holds the same text."""
    path = build / NAME
    text = render_data_package(reports, data_set, build, languages)
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        paths.write_atomically(path, text)
