"""The dashboard's pages, one file each, registered in ``dashboard.py`` with ``st.navigation``.

With ``dashboard.py``, the only code that imports Streamlit. Shared pieces (settings of the
rerun, cached reads, the sidebar filters, the author box, problems under their fields) are in
``common``. The folder is not called ``pages/``: Streamlit reserves that name beside the
entry script for its older multipage mode.
"""
