"""Time one figure shown in one language and in several (issue 16: compute once, render per
language), with and without relabelling the figure drawn in English.

    .venv/bin/python scripts/benchmark_figure_languages.py

The figure is the overview's "Innovative by sector" of the demo's NO-2024, shown through
`report.figures.show_figure` given a function that draws it (PNG, SVG, alt text per language).
CPU time of this process (less disturbed by other work on the machine than the wall clock), the
least of 15 interleaved runs. Prints milliseconds and the ratio to English alone. Not a test.
"""

from __future__ import annotations

import os
import time
from unittest import mock

from innobarometer import analysis, language
from innobarometer.report import figures

SETS = ("en", "en,nb", ",".join(language.LANGUAGES))
RUNS = 15


def main() -> None:
    edition, options = analysis.open_report("NO", 2024, 5, "logit")
    table = analysis.estimate_variable(edition, "innovative", by="sector", **options)
    sectors = analysis.category_labels("sector")
    figures.use_report_style()

    for relabel in (True, False):

        def draw(relabel=relabel):
            fig = figures.plot_estimates(table, None, "Innovative by sector", group_labels=sectors)
            if not relabel:
                fig.innobarometer_relabel = None  # drawn again in each language
            return fig

        def once(languages: str) -> float:
            os.environ[language.LANGUAGES_ENV] = languages
            with mock.patch("IPython.display.display", lambda bundle, **kwargs: None):
                start = time.process_time()
                figures.show_figure(draw, "sector")
                return time.process_time() - start

        for languages in SETS:
            once(languages)  # warm up: fonts, catalogs, locale data
        runs = {languages: [] for languages in SETS}
        for _ in range(RUNS):
            for languages in SETS:
                runs[languages].append(once(languages))
        english = min(runs["en"])
        for languages in SETS:
            best = min(runs[languages])
            print(
                f"{'relabelled' if relabel else 'redrawn':10} {languages:18} "
                f"{1000 * best:6.0f} ms  x{best / english:.2f}"
            )


if __name__ == "__main__":
    main()
