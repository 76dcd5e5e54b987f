"""The Nordic report's own parts: which round it is and what it lacks, the comparability box,
country labels that name the unit where it differs, and the Nordic findings."""

from __future__ import annotations

import html

from innobarometer.report.figures import COUNTRY_NAMES
from innobarometer.report.tables import show_html


def round_notice_html(round_name: str, editions, lacking) -> str:
    """'Round 2018: Denmark 2017, ... Not in this data set: SE-2018 (its country is left out).'"""
    compared = ", ".join(f"{COUNTRY_NAMES.get(e.country, e.country)} {e.year}" for e in editions)
    text = f"<strong>Round {html.escape(str(round_name))}</strong>: {html.escape(compared)}."
    if lacking:
        text += (
            f" <strong>Not in this data set</strong>: {html.escape(', '.join(lacking))}; "
            "the round's other editions are compared without "
            f"{'it' if len(lacking) == 1 else 'them'}."
        )
    return f'<div class="notice round">{text}</div>'


def show_round(round_name: str, editions, lacking) -> None:
    """Display `round_notice_html`."""
    show_html(round_notice_html(round_name, editions, lacking))
