"""innobarometer: design-based analysis of the Nordic Innovation Barometer for the Public Sector."""

__version__ = "0.1.0"
