"""What theme notebooks call to show results (as `report.*`)."""

from innobarometer.report.sections import *  # noqa: F403
