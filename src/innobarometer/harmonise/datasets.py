"""`make data` and `check`: harmonise and validate every edition of the active data set into
`build/data/` (its frame, its facts, and a record of the inputs it was made from, written last),
generating the synthetic demo's files first; and check one mapping against its national file.
Where things are written and how they are read again: `innobarometer.data_set`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from innobarometer import paths
from innobarometer.data_set import (
    DataSetError,
    EditionFacts,
    active_set,
    facts_path,
    harmonised_path,
    mappings_in,
)
from innobarometer.paths import display_path

if TYPE_CHECKING:
    import pandas as pd

    from innobarometer.harmonise.mapping import Mapping

# pandas, the mapping checker and validation are imported where used: an up-to-date `make data`
# or `build` then answers without loading them.

# What a harmonised frame and the synthetic demo are made by: the code of these layers (and
# their data: the codebook, the indicators, the reference figures). A change to any of their files
# rebuilds every edition and regenerates the demo; the analysis, report and pipeline layers do not
# count (no import reaches up to them: tests/test_layers.py).
HARMONISE_LAYERS = ("vocabulary", "survey", "harmonise")
DEMO_STAMP = ".generated.json"


class DataBuildError(Exception):
    """One or more editions failed to build; the message holds every edition's problems."""

    def __init__(self, failures: dict[str, str], written: list[Path]):
        self.failures = failures
        self.written = written
        body = "\n\n".join(f"{edition}:\n{message}" for edition, message in failures.items())
        super().__init__(f"{len(failures)} edition(s) failed:\n\n{body}")


def _inputs_path(edition_id: str) -> Path:
    return paths.build_dir() / "data" / f"{edition_id}.inputs.json"


def _hash_files(files) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.name).encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"(absent)")
    return digest.hexdigest()


def _code_hash() -> str:
    """The package code and library versions a harmonised frame depends on."""
    # lazy: importlib.metadata takes longer to import than an up-to-date `make data` to answer
    from importlib.metadata import version

    versions = f"pandas {version('pandas')} pyarrow {version('pyarrow')}".encode()
    code = paths.layers_digest(*HARMONISE_LAYERS).encode()
    return hashlib.sha256(code + versions).hexdigest()


def ensure_demo_files(progress: Callable[[str], None] = print) -> list[Path]:
    """Generate the demo's national files and rewrite its mappings unless both are what the
    generator writes now.

    Up to date means: the generator's sources hash as when the files were written, the files
    exist, and the mappings in data/demo/mappings/ hash as when they were last checked against
    the generator (so a hand edit, or a generator change committed without its mappings, is
    noticed). Returns the files written, mappings included.
    """
    raw_dir, mappings_dir = paths.demo_raw_dir(), paths.demo_mappings_dir()
    stamp = raw_dir / DEMO_STAMP
    inputs = paths.layers_digest(*HARMONISE_LAYERS)
    recorded = {}
    if stamp.is_file():
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        files = [raw_dir / name for name in recorded.get("files", [])]
        mappings = _hash_files(mappings_in(mappings_dir).values())
        if (
            recorded.get("inputs") == inputs
            and recorded.get("mappings") == mappings
            and files
            and all(f.is_file() for f in files)
        ):
            return []
    # lazy: an up-to-date `make data` never loads pandas and the checkers
    from innobarometer.harmonise.synthetic import demo_mapping_texts, write_demo_files

    progress(f"generating the synthetic demo files in {display_path(raw_dir)}")
    raw_dir.mkdir(parents=True, exist_ok=True)
    # No stamp while the files are rewritten: an interrupted run leaves a torn file that the
    # next run must write again, not trust.
    stamp.unlink(missing_ok=True)
    raw_files = list(write_demo_files(raw_dir))
    # The generator is what it was when the mappings were last checked: a mapping that differs
    # was edited by hand.
    edited_by_hand = recorded.get("inputs") == inputs
    rewritten = []
    for name, text in demo_mapping_texts().items():
        path = mappings_dir / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            if edited_by_hand and path.is_file():
                kept = path.with_name(f"{name}.edited")
                shutil.copyfile(path, kept)
                reason = (
                    f"your edit is kept as {display_path(kept)}; demo mappings are generated: "
                    "to try a changed mapping, copy it to data/mappings/"
                )
            else:
                reason = "the generator writes something else now; commit the new one"
            # A plain write keeps the committed file's mode; a torn one is rewritten next time.
            path.write_bytes(text.encode("utf-8"))
            rewritten.append(path)
            progress(f"rewrote {display_path(path)}: {reason}")
    record = {
        "inputs": inputs,
        "mappings": _hash_files(mappings_in(mappings_dir).values()),
        "files": sorted(Path(p).name for p in raw_files),
    }
    paths.write_atomically(stamp, json.dumps(record, indent=1).encode())
    return raw_files + rewritten


def facts_of_mapping(mapping: Mapping, codebook) -> EditionFacts:
    """What the reports need to know of a checked mapping (`data_set.EditionFacts`)."""
    return EditionFacts(
        country=mapping.country,
        edition=int(mapping.edition),
        unit_level=mapping.unit_level,
        synthetic=bool(mapping.synthetic),
        caveats=tuple(mapping.caveats),
        comparability=tuple(mapping.comparability),
        columns=mapping.provided_columns(codebook),
        rules=mapping.rules(),
        not_offered=mapping.not_offered(),
        without_strata=mapping.without_strata,
        coarsened=mapping.coarsened(codebook),
        not_produced=mapping.not_produced(codebook),
    )


def harmonise_edition(mapping_path: Path, codebook=None) -> tuple[Mapping, pd.DataFrame]:
    """Read, harmonise and validate one edition; InputError with every problem if it fails."""
    # lazy: an up-to-date `make data` never loads pandas and the checkers
    from innobarometer.harmonise.ingest import harmonise, read_source
    from innobarometer.harmonise.mapping import read_mapping
    from innobarometer.harmonise.validate import DataValidationError, validate_frame

    mapping = read_mapping(mapping_path, codebook)
    source = read_source(mapping)
    frame, problems = harmonise(source, mapping, codebook)
    if problems and source.frame.shape[1] == 1:
        # A file read as one column (a wrong delimiter): its one problem says it all; every
        # required column would otherwise be reported missing after it.
        raise DataValidationError(problems)
    validate_frame(frame, mapping, source, codebook, earlier=problems)
    return mapping, frame


def _source_file(mapping_path: Path) -> Path | None:
    """The national file a mapping names, read without the full check (for hashing only)."""
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x the pure parser
        raw = yaml.load(mapping_path.read_text(encoding="utf-8"), Loader=loader)
        return (mapping_path.parent / raw["source"]["file"]).resolve()
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, KeyError):
        return None  # `make data` names what is wrong with the mapping


def _edition_inputs(mapping_path: Path, code: str) -> dict[str, str]:
    """Content hashes of what an edition's frame is made from (an unusable mapping: no source)."""
    inputs = {"mapping": _hash_files([mapping_path]), "code": code}
    source = _source_file(mapping_path)
    if source is not None:
        inputs["source"] = _hash_files([source])
    return inputs


def outdated_editions(data: str | None = None) -> list[str]:
    """Editions whose harmonised frame no longer matches its mapping, national file or the code.

    That is what a failed (or not yet re-run) `make data` leaves: the Parquet of the last good
    run beside inputs that changed since. The build marks their reports failed instead of
    building on old data. A frame with no record of its inputs (written by other means) is
    taken as it is; one whose facts are missing is out of date (`make data` writes them again).
    """
    active = active_set(data)
    code = None
    outdated = []
    for edition_id, mapping_path in active.mappings.items():
        sidecar = _inputs_path(edition_id)
        if not sidecar.is_file() or not harmonised_path(edition_id).is_file():
            continue
        if not facts_path(edition_id).is_file():
            outdated.append(edition_id)
            continue
        code = code or _code_hash()
        recorded = json.loads(sidecar.read_text(encoding="utf-8"))
        if recorded != _edition_inputs(mapping_path, code):
            outdated.append(edition_id)
    return outdated


def refuse_outdated(edition_id: str, data: str | None = None) -> None:
    """DataSetError unless the edition's harmonised data is made from its current mapping,
    national file and code (what `build` checks before building a report on it): `estimate`
    must not print the numbers of a mapping that was since edited, or of a failed `make data`."""
    if edition_id not in outdated_editions(data):
        return
    active = active_set(data)
    mapping_path = active.mappings[edition_id]
    try:
        mapping_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        # lazy: only a mapping that cannot be read needs the checker's wording
        from innobarometer.harmonise.mapping import not_utf8_problem

        raise DataSetError(
            f"{edition_id}: its mapping cannot be read, so its harmonised data is out of date:\n"
            + not_utf8_problem(mapping_path, error).format()
        ) from None
    recorded = json.loads(_inputs_path(edition_id).read_text(encoding="utf-8"))
    current = _edition_inputs(mapping_path, _code_hash())
    names = {"mapping": "its mapping", "source": "its national file", "code": "the package code"}
    changed = [names[k] for k in names if recorded.get(k) != current.get(k)] or ["its facts"]
    raise DataSetError(
        f"{edition_id}: the harmonised data in {display_path(harmonised_path(edition_id))} is "
        f"out of date: {' and '.join(changed)} changed since it was made (or the last "
        "`make data` failed). Run `make data` (or `python -m innobarometer data`), fix what it "
        "reports, and estimate again"
    )


def build_data(data: str | None = None, progress: Callable[[str], None] = print) -> list[Path]:
    """Harmonise and validate every stale edition of the active set into build/data/.

    An edition is rebuilt when its mapping, its national file or the package code changed (content
    hashes in `build/data/<id>.inputs.json`). Returns the Parquet files written; raises
    DataBuildError naming every failed edition after trying them all (a failed edition writes
    nothing).
    """
    active = active_set(data)
    if not active.mappings:
        raise DataSetError(
            f"no mappings in {display_path(paths.demo_mappings_dir())}: the demo set is missing"
        )
    if active.kind == "demo":
        ensure_demo_files(progress)
        active = active_set(data)  # the generator may have written a mapping of a new edition
    code = _code_hash()
    written: list[Path] = []
    failures: dict[str, str] = {}
    total = len(active.mappings)
    for number, (edition_id, mapping_path) in enumerate(active.mappings.items(), start=1):
        started = time.perf_counter()
        prefix = f"[{number}/{total}] {edition_id}"
        inputs = _edition_inputs(mapping_path, code)
        target, sidecar = harmonised_path(edition_id), _inputs_path(edition_id)
        if target.is_file() and sidecar.is_file() and facts_path(edition_id).is_file():
            if json.loads(sidecar.read_text(encoding="utf-8")) == inputs:
                progress(f"{prefix} up to date")
                continue
        # lazy: an up-to-date `make data` never loads pandas and the checkers
        from innobarometer.codebook import load_codebook
        from innobarometer.harmonise.problems import InputError

        try:
            mapping, frame = harmonise_edition(mapping_path)
        except InputError as error:
            failures[edition_id] = str(error)
            progress(f"{prefix} FAILED")
            continue
        # Row numbers served validation; the stored frame has a plain index.
        frame = frame.reset_index(drop=True)
        facts = facts_of_mapping(mapping, load_codebook())
        paths.write_atomically(
            target, lambda tmp, f=frame: f.to_parquet(tmp, engine="pyarrow", index=False)
        )
        paths.write_atomically(facts_path(edition_id), facts.to_json().encode())
        # The inputs record goes last: it says the frame and the facts beside it are complete.
        paths.write_atomically(sidecar, json.dumps(inputs, indent=1, sort_keys=True).encode())
        written.append(target)
        progress(f"{prefix} ok {time.perf_counter() - started:.1f} s")
    if failures:
        raise DataBuildError(failures, written)
    return written


def run_data_command(args) -> int:
    """`python -m innobarometer data`: exit 1, printing every problem, when an edition failed."""
    try:
        build_data(getattr(args, "data", None))
    except (DataBuildError, DataSetError) as error:
        print(error, file=sys.stderr)
        return 1
    except Exception as error:
        # lazy: an up-to-date `make data` never loads pandas and the checkers
        from innobarometer.harmonise.problems import InputError

        if not isinstance(error, InputError):
            raise
        print(error, file=sys.stderr)
        return 1
    return 0


def check_report(mapping_path: str | Path) -> tuple[str, bool]:
    """What `check` prints for a mapping (what maps, what does not, every problem) and whether
    the mapping and its file are usable."""
    # lazy: an up-to-date `make data` never loads pandas and the checkers
    from innobarometer.codebook import load_codebook
    from innobarometer.harmonise.ingest import SourceError, harmonise, read_source
    from innobarometer.harmonise.mapping import check_mapping
    from innobarometer.harmonise.problems import fold_knock_on
    from innobarometer.harmonise.validate import find_problems

    codebook = load_codebook()
    mapping, problems = check_mapping(mapping_path, codebook)
    lines = [f"Mapping {display_path(mapping_path)}"]
    if mapping is not None:
        kind = "synthetic data" if mapping.synthetic else "real data"
        lines.append(
            f"  {mapping.edition_id}: {mapping.unit_level} level, {kind}, source "
            f"{display_path(mapping.source_path)} ({mapping.format})"
        )
        source = frame = None
        try:
            source = read_source(mapping)
        except SourceError as error:
            problems += error.problems
        if source is not None:
            lines[-1] += f", {len(source.frame)} rows, {source.frame.shape[1]} columns"
            if source.sheet is not None:
                lines[-1] += f" (sheet {source.sheet!r})"
            frame, recode_problems = harmonise(source, mapping, codebook)
            problems += recode_problems + find_problems(frame, mapping, source, codebook)
        if mapping.without_strata:
            lines.append(
                "  design: weights only (no stratum, no stratum_population): one stratum and no "
                "finite population correction, so variances are with-replacement (conservative)"
            )
        lines += ["", f"Mapped ({len(mapping.columns) + len(mapping.constants)} variables):"]
        lines += _mapped_lines(mapping)
        lines += [f"  {n:<36} =  {v!r} (constant)" for n, v in mapping.constants.items()]
        if mapping.derives_innovative:
            lines.append(f"  {'innovative':<36} <- derived from the introduced_* items")
        lines += _multiple_response_lines(mapping, codebook, source, frame)
        if source is not None:
            lines += _unmapped_lines(mapping, source)
        provided = mapping.provided(codebook)
        absent = [name for name in codebook.variables if name not in provided]
        lines += ["", f"Codebook variables not mapped ({len(absent)}; missing in the frame):"]
        lines += textwrap.wrap(
            ", ".join(absent) or "none", 96, initial_indent="  ", subsequent_indent="  "
        )
    problems = fold_knock_on(problems)
    lines += ["", f"Problems ({len(problems)}):" if problems else "No problems."]
    lines += [problem.format() for problem in problems]
    usable = mapping is not None and not problems
    lines.append("Result: usable" if usable else "Result: NOT usable; fix the problems above")
    return "\n".join(lines), usable


def _mapped_lines(mapping: Mapping) -> list[str]:
    """One line per mapped variable; a recode or rule shared by several items is printed once
    above them and named by a letter (twelve items on one scale read as one conversion)."""
    recodes = [m.describe_recode() for m in mapping.columns.values() if m.kind == "column"]
    shared = [r for r in dict.fromkeys(recodes) if r and recodes.count(r) > 1]
    letters = {recode: chr(ord("A") + i) for i, recode in enumerate(shared[:26])}
    lines = []
    for recode, letter in letters.items():
        users = [n for n, m in mapping.columns.items() if m.kind == "column"]
        users = [n for n in users if mapping.columns[n].describe_recode() == recode]
        lines.append(f"  shared recode ({letter}), {len(users)} items: {recode.strip()}")
    for name, column_map in mapping.columns.items():
        recode = column_map.describe_recode() if column_map.kind == "column" else ""
        if recode in letters:
            lines.append(f"  {name:<36} <- {column_map.column}  shared recode ({letters[recode]})")
        else:
            lines.append(f"  {name:<36} <- {column_map.describe()}")
    return lines


def _multiple_response_lines(mapping: Mapping, codebook, source, frame) -> list[str]:
    """For each multiple-response item mapped: how its blank cells were read and how many units
    inside its universe had every cell blank; options not offered; options not known."""
    # lazy: an up-to-date `make data` never loads pandas and the checkers
    from innobarometer.codebook import universe_mask
    from innobarometer.harmonise.ingest import blank_units

    items = [(n, m) for n, m in mapping.columns.items() if m.kind != "column"]
    if not items:
        return []
    lines = ["", "Multiple-response items:"]
    for name, column_map in items:
        variable = codebook[name]
        reading = column_map.blank_reading.replace("_", " ")
        how = f"  {name}: a unit with every cell blank reads as {reading}"
        if (
            source is not None
            and frame is not None
            and not set(column_map.source_columns) - set(source.frame.columns)
        ):
            inside = universe_mask(frame, variable.universe)
            count = int((blank_units(source, column_map).to_numpy(bool) & inside).sum())
            how += f": {count} units of its universe ({variable.universe}) were read so"
        if column_map.blank is None:
            how += " (the layout's default; set `blank:` to say otherwise)"
        notes = [how]
        if column_map.not_offered:
            notes.append(
                f"not offered by the national questionnaire: {', '.join(column_map.not_offered)}"
                " (indicators over any option count the offered ones)"
            )
        unknown = [
            o
            for o in variable.options
            if o not in column_map.mapped_options and o not in column_map.not_offered
        ]
        if unknown:
            notes.append(
                f"not known (neither mapped nor under not_offered): {', '.join(unknown)}; "
                "what counts any option is not computed: list them under not_offered if the "
                "questionnaire did not have them"
            )
        lines += textwrap.wrap(notes[0].strip(), 96, initial_indent="  ", subsequent_indent="    ")
        for note in notes[1:]:
            lines += textwrap.wrap(note, 96, initial_indent="    ", subsequent_indent="      ")
    return lines


def _unmapped_lines(mapping: Mapping, source) -> list[str]:
    """The national columns no variable reads, less those `unmapped:` acknowledges."""
    used = {c for m in mapping.columns.values() for c in m.source_columns}
    columns = [str(c) for c in source.frame.columns]
    unused = [c for c in columns if c not in used and c not in mapping.unmapped]
    lines = ["", f"Source columns not mapped ({len(unused)}):"]
    lines += textwrap.wrap(
        ", ".join(unused) or "none", 96, initial_indent="  ", subsequent_indent="  "
    )
    left_out = [c for c in mapping.unmapped if c in columns]
    if mapping.unmapped:
        lines.append(f"  ... and {len(left_out)} left out on purpose (listed under unmapped)")
    strays = [c for c in mapping.unmapped if c not in columns]
    if strays:
        lines.append(f"  listed under unmapped but not in the file: {', '.join(strays)}")
    return lines


def run_check_command(args) -> int:
    """`python -m innobarometer check XX-YYYY.yaml`: print the check; exit 0 when usable."""
    try:
        report, usable = check_report(Path(args.mapping))
    except Exception as error:  # `check` must answer in text even for input it did not foresee
        print(f"{args.mapping}: cannot be checked: {error}", file=sys.stderr)
        return 1
    print(report)
    return 0 if usable else 1
