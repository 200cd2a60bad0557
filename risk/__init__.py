"""Vendor-dependency risk: graded evidence in DuckDB, scored by a transparent methodology.

The package holds every piece of logic; the Streamlit app and the command line are thin
callers. It never imports Streamlit, so scheduled jobs and tests run without a UI.
"""

__version__ = "0.1.0"
