"""Reliability of the build as a user meets it: malformed national files and mappings run through
`python -m innobarometer data` then `build` (the two steps of `make all`), an edition with no
innovators, and a build interrupted by SIGINT or SIGTERM while reports execute.

The project is a real data set (tests/fixtures/reliability: synthetic answers in Iceland's and
Finland's national layouts, mapped with `synthetic: false`) and the repository's theme notebooks.
One good build is shared; each case breaks a copy of it.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from processes import alive, descendants

from innobarometer.language import LANGUAGES

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reliability"
THEMES = "overview"  # one theme keeps each case to a few seconds
BROKEN = "IS-2018"  # the edition each case breaks; FI-2018 stays good beside it
RAW = f"data/raw/{BROKEN}.csv"
MAPPING = f"data/mappings/{BROKEN}.yaml"
DELIMITER = ";"
MAX_ERROR_LINES = 15


# ----------------------------------------------------------------------------- helpers


def make_real_project(root: Path, sources: dict[str, str] | None = None) -> Path:
    """A project root with the theme notebooks and a real data set: edition -> raw fixture."""
    sources = sources or {"IS-2018": "IS-2018.csv", "FI-2018": "FI-2018.csv"}
    (root / "data" / "mappings").mkdir(parents=True)
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    for edition, raw in sources.items():
        shutil.copy(FIXTURES / "mappings" / f"{edition}.yaml", root / "data" / "mappings")
        shutil.copy(FIXTURES / "raw" / raw, root / "data" / "raw" / f"{edition}.csv")
    return root


def environment(root: Path) -> dict[str, str]:
    env = {**os.environ, "INNOBAROMETER_ROOT": str(root)}
    env.pop("DATA", None)
    return env


def command(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m innobarometer ARGS` in the project, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "innobarometer", *args],
        cwd=root,
        env=environment(root),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def products(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every product a good build left (reports and harmonised data): bytes and mtime.

    The site pages (index, codebook page, manifest) are not among them: they describe the current
    mappings, broken ones included, so they change with a failure by design."""
    build = root / "build"
    found = {}
    for path in sorted(build.rglob("*")):
        relative = path.relative_to(build)
        if path.is_file() and relative.parts[0] != "failed" and not path.name.startswith("."):
            if path.name not in ("index.html", "codebook.html", "manifest.json"):
                found[str(relative)] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


# The index shows a report's status only where it is not built, after its links.
STATUS = re.compile(r'( · )?<span class="status-(\w+)">\w+</span>')
SUMMARY = re.compile(r"<p>Of \d+ reports, [^<]*\.</p>\n")


def index_cells(index: str) -> dict[tuple[str, str], str]:
    """(theme column, edition row) -> status ('' when built), read from the index grid."""
    head = re.search(r"<thead><tr><th[^>]*>Edition</th>(.*?)</tr></thead>", index).group(1)
    themes = re.findall(r"<th[^>]*>(.*?)</th>", head)
    cells = {}
    for edition, row in re.findall(r'<tr data-edition="([^"]*)"><th.*?</th>(.*?)</tr>', index):
        statuses = [m.group(2) if m else "" for m in map(STATUS.search, row.split("</td>"))]
        for theme, status in zip(themes, statuses):
            cells[(theme, edition)] = status
    return cells


def read_raw(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / RAW, sep=DELIMITER, dtype=str, keep_default_na=False)


def write_raw(root: Path, frame: pd.DataFrame, **options) -> None:
    options = {"sep": DELIMITER, "index": False, "lineterminator": "\n"} | options
    frame.to_csv(root / RAW, **options)


def edit_raw(change: Callable[[pd.DataFrame], None]) -> Callable[[Path], None]:
    """A breakage that edits the national file as a table (row i is CSV line i + 2)."""

    def apply(root: Path) -> None:
        frame = read_raw(root)
        change(frame)
        write_raw(root, frame)

    return apply


def edit_mapping(old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / MAPPING
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture mapping lacks {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def non_innovator_row(frame: pd.DataFrame) -> int:
    """The first row that introduced nothing (every introduced_* item answered 'no', code 2)."""
    nothing = frame[["sp1", "sp2", "sp3", "sp4"]].eq("2").all(axis=1)
    return int(nothing.to_numpy().nonzero()[0][0])


def _set(column: str, rows: list[int], value: str) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        frame.loc[rows, column] = value

    return change


def _duplicate_id(frame: pd.DataFrame) -> None:
    frame.loc[8, "auðkenni"] = frame.loc[2, "auðkenni"]


def _overfull_stratum(frame: pd.DataFrame) -> None:
    stratum = frame.loc[0, "lag"]
    frame.loc[frame["lag"] == stratum, "thydi"] = "1"


def _varying_population(frame: pd.DataFrame) -> None:
    frame.loc[1, "thydi"] = "40"


def _novelty_from_non_innovator(frame: pd.DataFrame) -> None:
    frame.loc[non_innovator_row(frame), "sp7"] = "1"


def _scale_1_6(frame: pd.DataFrame) -> None:
    frame.loc[[0, 1], "sp31"] = "6"


def _replace_file(make: Callable[[Path, bytes], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / RAW
        original = path.read_bytes()
        path.unlink()
        make(path, original)

    return apply


def _directory(path: Path, original: bytes) -> None:
    path.mkdir()


def _binary(path: Path, original: bytes) -> None:
    import gzip

    path.write_bytes(gzip.compress(original))


def _cp1252(path: Path, original: bytes) -> None:
    path.write_bytes(original.decode("utf-8").encode("cp1252"))


def _empty(path: Path, original: bytes) -> None:
    path.write_bytes(b"")


def _header_only(path: Path, original: bytes) -> None:
    path.write_bytes(original.split(b"\n", 1)[0] + b"\n")


def _ragged(path: Path, original: bytes) -> None:
    lines = original.split(b"\n")
    lines[6] += b";1;2;3"  # line 7 has three fields too many
    path.write_bytes(b"\n".join(lines))


def _without_weight_column(path: Path, original: bytes) -> None:
    frame = pd.read_csv(io.BytesIO(original), sep=DELIMITER, dtype=str, keep_default_na=False)
    frame.drop(columns="vog").to_csv(path, sep=DELIMITER, index=False, lineterminator="\n")


def _commas(root: Path) -> None:
    write_raw(root, read_raw(root), sep=",")


# id -> (breakage, patterns the error must match: the file, the column or key, the rows, ...)
FILE, YAML = re.escape(RAW), re.escape(MAPPING)
CASES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "unreadable: a folder where the file should be": (_replace_file(_directory), (FILE,)),
    "unreadable: compressed bytes, not text": (_replace_file(_binary), (FILE, "line 1")),
    "wrong encoding: cp1252 read as utf-8": (_replace_file(_cp1252), (FILE, "utf-8", "cp1252")),
    "wrong delimiter: commas where ';' is declared": (_commas, (FILE, "delimiter: ','")),
    "ragged row: too many fields": (_replace_file(_ragged), (FILE, r"line 7\b")),
    "empty file": (_replace_file(_empty), (FILE,)),
    "header only, no rows": (_replace_file(_header_only), (FILE, "no data rows")),
    "missing column": (
        _replace_file(_without_weight_column),
        (FILE, r"\bvog\b", r"columns\.weight"),
    ),
    "unknown code": (edit_raw(_set("sp1", [3, 7], "7")), (FILE, r"\bsp1\b", "lines 5, 9", "'7'")),
    "1-6 scale where 1-5 is declared": (
        edit_raw(_scale_1_6),
        (FILE, r"\bsp31\b", "factor_lack_of_time", "lines 2, 3", "'6'"),
    ),
    "weights missing": (edit_raw(_set("vog", [1, 2], "")), (FILE, r"\bvog\b", "lines 3, 4")),
    "weights negative": (
        edit_raw(_set("vog", [4], "-1.5")),
        (FILE, r"\bvog\b", r"lines? 6\b", "-1.5"),
    ),
    "weights zero": (edit_raw(_set("vog", [5], "0")), (FILE, r"\bvog\b", r"lines? 7\b")),
    "weights text": (
        edit_raw(_set("vog", [6], "heavy")),
        (FILE, r"\bvog\b", r"lines? 8\b", "heavy"),
    ),
    "duplicate ids": (edit_raw(_duplicate_id), (FILE, "auðkenni", "lines 4, 10")),
    "unit id missing": (edit_raw(_set("auðkenni", [5], "")), (FILE, "auðkenni", r"lines? 7\b")),
    "stratum with more respondents than its population": (
        edit_raw(_overfull_stratum),
        (FILE, r"\bthydi\b", "lines 2, 3"),
    ),
    "stratum population varying within a stratum": (
        edit_raw(_varying_population),
        (FILE, r"\bthydi\b", "lines 2, 3", "'40'"),
    ),
    "innovator-only answer from a non-innovator": (
        edit_raw(_novelty_from_non_innovator),
        (FILE, r"\bsp7\b", "novelty", r"lines? \d+"),
    ),
    "mapping: misspelt variable key": (
        edit_mapping("  weight: vog", "  wieght: vog"),
        (YAML, r"columns\.wieght", "did you mean 'weight'"),
    ),
    "mapping: misspelt top-level key": (
        edit_mapping("unit_level: workplace", "unit_levle: workplace"),
        (YAML, "unit_levle", "did you mean 'unit_level'"),
    ),
    "mapping: points at a missing file": (
        edit_mapping("../raw/IS-2018.csv", "../raw/IS-2019.csv"),
        (YAML, r"source\.file", "IS-2019.csv"),
    ),
    "mapping: YAML syntax error": (
        edit_mapping("columns:\n", "columns:\n  unit_id: [auðkenni\n"),
        (YAML, r"line \d+"),
    ),
    "mapping: country disagrees with the file name": (
        edit_mapping("country: IS", "country: DK"),
        (YAML, "country", "IS-2018"),
    ),
    "mapping: a recode leaves out a code the file holds": (
        edit_mapping(
            "    recode:\n      1: 1\n      2: 0\n      9: 8\n", "    recode: {1: 1, 2: 0}\n"
        ),
        (FILE, r"\bsp1\b", r"lines? \d+", "'9'"),
    ),
}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """One real-data project built once (data and the overview reports of both editions)."""
    root = make_real_project(tmp_path_factory.mktemp("reliability") / "good")
    data = command(root, "data")
    assert data.returncode == 0, data.stderr
    built = command(root, "build", "--themes", THEMES)
    assert built.returncode == 0, built.stderr
    return root


def run_case(case: str, good: Path, folder: Path) -> dict:
    """Break a copy of the good project, run `data` then `build`, and record what changed."""
    root = folder / "project"
    shutil.copytree(good, root, symlinks=True)  # copy2 keeps the mtimes
    before, index_before = products(root), (root / "build" / "index.html").read_text()
    CASES[case][0](root)
    data = command(root, "data")
    build = command(root, "build", "--themes", THEMES)
    return {
        "data": data,
        "build": build,
        "before": before,
        "after": products(root),
        "index_before": index_before,
        "index_after": (root / "build" / "index.html").read_text(),
    }


@pytest.fixture(scope="module")
def bad_input_runs(good_build, tmp_path_factory) -> dict[str, dict]:
    """Every case run once, two at a time (the machine has two cores)."""
    from concurrent.futures import ThreadPoolExecutor

    base = tmp_path_factory.mktemp("bad-input")
    folders = [base / f"case{number:02d}" for number in range(len(CASES))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda c, f: run_case(c, good_build, f), CASES, folders)
        return dict(zip(CASES, runs))


# ----------------------------------------------------------------------------- bad input


def test_there_are_at_least_fifteen_kinds_of_bad_input():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_file_column_rows_and_fix(case, bad_input_runs):
    data = bad_input_runs[case]["data"]
    assert data.returncode != 0, f"`data` accepted: {case}\n{data.stdout}"
    error = data.stderr.strip()
    assert "Traceback" not in error, error
    assert len(error.splitlines()) <= MAX_ERROR_LINES, error
    for pattern in CASES[case][1]:
        assert re.search(pattern, error), f"{case}: {pattern!r} not found in\n{error}"
    assert "fix:" in error, error


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_fails_the_build_and_leaves_built_reports_alone(case, bad_input_runs):
    run = bad_input_runs[case]
    build = run["build"]
    # The build must not pass over an edition whose data could not be refreshed.
    assert build.returncode != 0, f"`build` exit 0 on stale data: {case}\n{build.stdout}"
    assert "Traceback" not in build.stderr, build.stderr
    assert BROKEN in build.stderr and len(build.stderr.strip().splitlines()) <= 10, build.stderr

    # Nothing built earlier was rewritten, touched or added to; the good edition's reports may
    # be rebuilt only when the build says so (the package changed under a running test session).
    rebuilt = set(re.findall(r"^\[\d+/\d+\] \w+ (\S+) ok", build.stdout, flags=re.M))
    assert BROKEN not in rebuilt, build.stdout
    kept = {k: v for k, v in run["before"].items() if not any(e in k for e in rebuilt)}
    assert {k: run["after"].get(k) for k in kept} == kept, f"{case}: products changed"
    assert set(run["after"]) == set(run["before"]), f"{case}: products added or removed"

    index_before, index_after = run["index_before"], run["index_after"]
    cells_before, cells_after = index_cells(index_before), index_cells(index_after)
    assert cells_after[("Overview", BROKEN)] == "failed", "the index does not mark the failure"
    changed = {cell for cell in cells_before if cells_before[cell] != cells_after[cell]}
    assert all(edition == BROKEN for _, edition in changed), changed

    def unmarked(page: str) -> str:
        return SUMMARY.sub("", STATUS.sub("", page))

    assert unmarked(index_after) == unmarked(index_before)


# ----------------------------------------------------------------------------- no innovators

SAYS_NO_INNOVATORS = re.compile(
    r"\bno (innovators|innovating|innovative (units|workplaces|organisations))\b"
    r"|\bnone of the \w+ (introduced|innovated)|\b0 innovators\b",
    re.IGNORECASE,
)


def visible_text(page: str) -> str:
    """The words a reader sees on a page (no style, no embedded images, tags stripped)."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def test_an_edition_with_no_innovators_builds_and_says_so(tmp_path):
    root = make_real_project(tmp_path / "project", {"IS-2018": "IS-2018-no-innovators.csv"})
    data = command(root, "data")
    assert data.returncode == 0, data.stderr
    build = command(root, "build", "--keep-going")
    assert build.returncode == 0, build.stderr
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    assert manifest["reports"] and all(
        record["status"] == "built" for record in manifest["reports"].values()
    )
    for name, record in manifest["reports"].items():
        text = visible_text((root / "build" / record["html"]).read_text())
        assert SAYS_NO_INNOVATORS.search(text), f"{name} does not say that no unit innovated"


# ----------------------------------------------------------------------------- interruption


class _Strict(html.parser.HTMLParser):
    """Counts open and closed elements, to tell a complete page from a truncated one."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "wbr", "source"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass


def assert_complete_products(root: Path) -> set[str]:
    """Every report product under build/ is whole and recorded as built; return the names."""
    build = root / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    built = {n for n, r in manifest["reports"].items() if r["status"] == "built"}
    on_disk = set()
    # English products, then each other language's (build/<lang>/<theme>/...), which belong to
    # a report recorded as built in that language; the languages' own index, codebook and
    # methodology pages are checked whole.
    translated = [p for code in LANGUAGES[1:] for p in build.glob(f"{code}/*/*")]
    for path in [*build.glob("*/*"), *translated]:
        if path.parent.name in ("data", "failed", "screenshots", "locale"):
            continue
        language = path.parent.parent.name if path.parent.parent != build else "en"
        assert ".tmp" not in path.name, f"temporary file left: {path}"
        if path.suffix == ".html":
            page = path.read_text(encoding="utf-8")
            assert page.rstrip().endswith("</html>"), f"{path} is cut short"
            parser = _Strict()
            parser.feed(page)
            parser.close()
            assert "html" not in parser.open and "body" not in parser.open, path
        elif path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            assert rows[0][:2] == ["section", "table"], path
            assert {len(row) for row in rows} == {len(rows[0])}, f"{path}: ragged rows"
        elif path.suffix == ".svg":
            # A figure's SVG (`<key>.<figure>.svg`) belongs to its report's products.
            assert path.read_text(encoding="utf-8").rstrip().endswith("</svg>"), path
            report = f"{path.parent.name}/{path.name.split('.')[0]}"
            assert report in built, f"{path}: a figure of a report not recorded as built"
            continue
        if path.parent.name in LANGUAGES:
            continue  # a language's index, codebook or methodology page
        name = f"{path.parent.name}/{path.stem}"
        if language != "en":
            assert name in built, f"{path}: a page of a report not recorded as built"
            assert language in manifest["reports"][name]["languages"], path
            continue
        on_disk.add(name)
    assert on_disk == built, f"on disk but not built: {on_disk - built}; {built - on_disk}"
    for name in built:
        record = manifest["reports"][name]
        assert (build / record["html"]).is_file() and (build / record["csv"]).is_file()
    return built


INTERRUPTED_THEMES = "overview,drivers,collaboration,diffusion"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="the process tree is read from /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_build_leaves_only_whole_products_and_the_next_build_finishes(
    signum, good_build, tmp_path
):
    root = tmp_path / "project"
    shutil.copytree(good_build, root, symlinks=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "innobarometer", "build", "--themes", INTERRUPTED_THEMES],
        cwd=root,
        env=environment(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Let one report finish (products renamed into place), then interrupt the ones running.
    tree: set[int] = set()
    first = process.stdout.readline()
    tree |= descendants(process.pid)
    assert re.match(r"\[1/\d+\] \w+ \S+ ok", first), first + process.stderr.read()
    # Interrupt as soon as the next kernels run: a report takes well under a second now.
    deadline = time.monotonic() + 2
    while len(tree) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
        tree |= descendants(process.pid)
    assert len(tree) >= 4, "expected workers, a zygote and kernels while reports run"
    process.send_signal(signum)
    rest, errors = process.communicate(timeout=30)
    assert process.returncode != 0, rest
    assert "Traceback" not in errors, errors
    deadline = time.monotonic() + 5
    while [p for p in tree if alive(p)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in tree if alive(p)] == [], "processes outlived the interrupted build"

    finished = assert_complete_products(root)
    planned = {f"{t}/{e}" for t in INTERRUPTED_THEMES.split(",") for e in ("IS-2018", "FI-2018")}
    assert planned - finished, "the interrupt came too late: every report had finished"

    again = command(root, "build", "--themes", INTERRUPTED_THEMES)
    assert again.returncode == 0, again.stderr
    assert planned <= assert_complete_products(root)
    ran = re.findall(r"^\[\d+/\d+\] (\w+) (\S+) ok", again.stdout, flags=re.M)
    assert {f"{t}/{e}" for t, e in ran} >= planned - finished
