"""What the dashboard shows, computed without Streamlit: read models (``queries``: frames and
records for each panel) and Plotly figure builders (``charts``). The pages in ``app_pages/``
only place what these return, so every number and figure is testable on its own.
"""
