"""Codebook-aware analysis of harmonised editions (what notebooks call as `analysis.*`)."""

from innobarometer.analysis.estimates import *  # noqa: F403
