"""Staleness by content and the manifest that records it.

A report is stale when a product is missing or the hash of an input changed. Hashes live in
`build/manifest.json`; no file times are used, so a fresh clone behaves like any other.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from innobarometer import paths
from innobarometer.pipeline.plan import DataSet, Report, rounds_path

MANIFEST_NAME = "manifest.json"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or `missing`."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "missing"


# What a report's bytes are made by: the code and data of these layers (templates included). The
# harmonise layer reaches a report only through the files in build/data/ it reads, and the
# pipeline only runs it: editing either rebuilds no report.
REPORT_LAYERS = ("vocabulary", "survey", "analysis", "report")


def code_digests() -> dict[str, str]:
    """One hash per layer a report depends on (`REPORT_LAYERS`), so the dry run can say which
    layer changed."""
    return {layer: paths.layers_digest(layer) for layer in REPORT_LAYERS}


def dependency_digest() -> str:
    """One hash of the declared run-time dependencies and their installed versions."""
    declared = [r for r in (metadata.requires("innobarometer") or []) if "extra ==" not in r]
    pinned = []
    for requirement in declared:
        name = re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0]
        try:
            pinned.append(f"{requirement} -> {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pinned.append(f"{requirement} -> missing")
    return hashlib.sha256("\n".join(pinned).encode()).hexdigest()


@dataclass
class Fingerprints:
    """Input hashes shared by many reports, computed once per build."""

    code: dict[str, str]  # layer -> digest (`code_digests`)
    dependencies: str
    files: dict[Path, str] = field(default_factory=dict)

    def of_file(self, path: Path) -> str:
        """A file's digest, hashed once per build."""
        if path not in self.files:
            self.files[path] = file_digest(path)
        return self.files[path]


def report_inputs(report: Report, data_set: DataSet, prints: Fingerprints) -> dict[str, str]:
    """Every input hash of one report, keyed by a name the dry run can print."""
    inputs = {
        "notebook": prints.of_file(report.notebook),
        **{f"code {layer}": digest for layer, digest in prints.code.items()},
        "dependencies": prints.dependencies,
        "parameters": hashlib.sha256(
            json.dumps(report.parameters, sort_keys=True).encode()
        ).hexdigest(),
        # The page's title is made by the plan, which no other input covers.
        "title": hashlib.sha256(report.title.encode()).hexdigest(),
    }
    if report.edition_set:
        # The rounds file says which editions a round compares (a report of each round).
        inputs["rounds"] = prints.of_file(rounds_path())
    for edition in report.reads:
        if edition in data_set.delivered:  # a partner's tables instead of the microdata
            for path in data_set.delivered[edition]:
                inputs[f"delivered {edition} {path.name}"] = prints.of_file(path)
            continue
        inputs[f"data {edition}"] = prints.of_file(data_set.harmonised[edition])
        inputs[f"facts {edition}"] = prints.of_file(data_set.facts[edition])
    return inputs


def stale_reasons(report: Report, inputs: dict, manifest: dict, build: Path) -> list[str]:
    """Why a report must be rebuilt; empty when it is up to date."""
    record = manifest.get("reports", {}).get(report.name)
    if record is None:
        return ["never built"]
    if record.get("status") != "built":
        return ["last build failed"]
    reasons = [f"{name} changed" for name in inputs if record["inputs"].get(name) != inputs[name]]
    reasons += [f"{name} no longer read" for name in record["inputs"] if name not in inputs]
    for suffix in (".html", ".csv"):
        if not report.product(build, suffix).exists():
            reasons.append(f"{report.key}{suffix} missing")
    return reasons


def load_manifest(build: Path) -> dict:
    """The manifest of earlier builds, or an empty one."""
    try:
        return json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"reports": {}}
    except json.JSONDecodeError:
        # A manifest is only a cache of what was built: a damaged one means rebuild everything.
        return {"reports": {}}


def save_manifest(build: Path, manifest: dict) -> None:
    """Write the manifest (sorted, one report per key) atomically."""
    paths.write_atomically(
        build / MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    )
