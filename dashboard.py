"""Streamlit entry point: layout and widgets only; everything else is in ``risk``."""

import streamlit as st

from risk import bootstrap, db, scoring

st.set_page_config(page_title="Nvidia dependency risk", layout="wide")
st.title("How much do Microsoft and OpenAI rely on Nvidia?")
with st.spinner("Preparing the database (first run loads the bundled evidence)..."):
    path = bootstrap.ensure_ready()
with db.connect(path) as con:
    latest = scoring.latest(con)
st.dataframe(latest, hide_index=True)
