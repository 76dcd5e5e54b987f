"""Command line: `python -m innobarometer COMMAND`. Heavy modules are imported only by the command
that needs them, so that `build` on an up-to-date tree answers fast."""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m innobarometer",
        description="Design-based analysis of the Nordic Innovation Barometer.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("codebook", help="print the harmonised codebook as a table")

    estimate = commands.add_parser(
        "estimate", help="estimate one variable or indicator of one edition; CSV on stdout"
    )
    estimate.add_argument("edition", help="edition id, e.g. DK-2023")
    estimate.add_argument("variable", help="codebook variable or published indicator name")
    estimate.add_argument("--by", help="group variable, e.g. gov_level")
    estimate.add_argument("--domain", default="all", help="all (default) or innovators")
    estimate.add_argument("--ci", default="logit", help="interval method: logit, beta or wilson")
    estimate.add_argument(
        "--threshold", type=int, help="disclosure threshold (default: the package's)"
    )
    estimate.add_argument("--data", choices=["demo", "real"], help="which data set (default: auto)")

    data = commands.add_parser("data", help="harmonise and validate every active mapping")
    data.add_argument("--data", choices=["demo", "real"], help="which data set (default: auto)")

    check = commands.add_parser("check", help="check one mapping file against its data file")
    check.add_argument("mapping", help="path to a <CC>-<YYYY>.yaml mapping")

    build = commands.add_parser("build", help="build every stale report, the index and manifest")
    build.add_argument("--themes", help="comma-separated theme names (default: all)")
    build.add_argument("--editions", help="comma-separated edition ids (default: all active)")
    build.add_argument("--dry-run", action="store_true", help="list what is stale and why")
    build.add_argument("--keep-going", action="store_true", help="build the rest after a failure")
    build.add_argument("--jobs", type=int, help="worker processes (default: the core count)")
    build.add_argument("--data", choices=["demo", "real"], help="which data set (default: auto)")
    build.add_argument(
        "--languages",
        help="comma-separated languages besides English (en,da,nb,sv,fi,is; default: all)",
    )

    deliver = commands.add_parser(
        "deliver",
        help="write one edition's estimate tables for the Nordic reports (no microdata)",
    )
    deliver.add_argument("edition", help="edition id, e.g. DK-2017")
    deliver.add_argument("--to", help="folder to write (default: build/delivered/<EDITION>/)")
    deliver.add_argument("--threshold", type=int, default=5, help="disclosure threshold (5)")
    deliver.add_argument("--ci", default="logit", help="interval method: logit, beta or wilson")
    deliver.add_argument("--data", choices=["demo", "real"], help="which data set (default: auto)")

    commands.add_parser(
        "share", help="write build/share/: pages, CSVs, figures and data package, no microdata"
    )

    new_theme = commands.add_parser("new-theme", help="create notebooks/NAME.py from the skeleton")
    new_theme.add_argument("name", help="theme name: lower case letters, digits and _")

    commands.add_parser("lab", help="start JupyterLab on the paired theme notebooks")

    translations = commands.add_parser(
        "translations", help="write the catalog template and list what each language lacks"
    )
    translations.add_argument(
        "--update", default="", help="comma-separated languages whose catalogs to update (nb,da)"
    )
    translations.add_argument(
        "--check", action="store_true", help="exit 1 when any language lacks a translation"
    )

    model = commands.add_parser(
        "model", help="fit a survey GLM of one edition from a formula; CSV on stdout"
    )
    model.add_argument("edition", help="edition id, e.g. DK-2023")
    model.add_argument("formula", help='e.g. "innovative ~ C(gov_level) + C(size_class)"')
    model.add_argument(
        "--family", default="binomial", help="binomial (default), gaussian or poisson"
    )
    model.add_argument("--domain", default="all", help="all (default) or innovators")
    model.add_argument("--data", choices=["demo", "real"], help="which data set (default: auto)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (errors print a message, not a traceback)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "codebook":
            # lazy: each command loads only the layers it uses
            from innobarometer.codebook import print_codebook

            return print_codebook()
        if args.command == "estimate":
            # lazy: each command loads only the layers it uses
            from innobarometer.analysis.estimates import run_estimate_command
            from innobarometer.harmonise.datasets import refuse_outdated

            refuse_outdated(args.edition, args.data)
            return run_estimate_command(args)
        if args.command == "data":
            # lazy: each command loads only the layers it uses
            from innobarometer.harmonise.datasets import run_data_command

            return run_data_command(args)
        if args.command == "check":
            # lazy: each command loads only the layers it uses
            from innobarometer.harmonise.datasets import run_check_command

            return run_check_command(args)
        if args.command == "build":
            # lazy: each command loads only the layers it uses
            from innobarometer.pipeline.build import run_build_command

            return run_build_command(args)
        if args.command == "deliver":
            # lazy: each command loads only the layers it uses
            from innobarometer.analysis.delivered import run_deliver_command
            from innobarometer.harmonise.datasets import refuse_outdated

            refuse_outdated(args.edition, args.data)
            return run_deliver_command(args)
        if args.command == "share":
            # lazy: each command loads only the layers it uses
            from innobarometer.pipeline.share import run_share_command

            return run_share_command(args)
        if args.command == "new-theme":
            # lazy: each command loads only the layers it uses
            from innobarometer.pipeline.scaffolding import run_new_theme_command

            return run_new_theme_command(args)
        if args.command == "lab":
            # lazy: each command loads only the layers it uses
            from innobarometer.pipeline.scaffolding import run_lab_command

            return run_lab_command(args)
        if args.command == "translations":
            # lazy: each command loads only the layers it uses
            from innobarometer.language import check_language
            from innobarometer.pipeline.translations import run as run_translations

            update = [check_language(c.strip()) for c in args.update.split(",") if c]
            return run_translations(update, args.check)
        if args.command == "model":
            # lazy: each command loads only the layers it uses
            from innobarometer.analysis.models import run_model_command

            return run_model_command(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        message = _user_mistake(error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1
    return 2


def _user_mistake(error: Exception) -> str | None:
    """The message of an error in the user's files or choices (printed without a traceback);
    None for anything else, which is a bug and keeps its traceback."""
    # lazy: only a failing command needs them
    from innobarometer.data_set import DataSetError
    from innobarometer.harmonise.problems import InputError

    if isinstance(error, InputError | DataSetError):
        return f"error: {error}"
    return None


if __name__ == "__main__":
    sys.exit(main())
