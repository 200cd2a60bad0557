"""Exports: download the current bundle, and check the scheduled ones.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages.common import database, methodology
from risk import exports
from risk.settings import exports_dir
from risk.views import queries


def page_exports() -> None:
    st.header("Exports")
    path, method = database(), methodology()
    st.markdown("**Current bundle**: scores, evidence, annotations (with history), alerts, "
                "the audit trail and a manifest, as one zip. It is built when you click.")
    excel = st.checkbox("For Excel (UTF-8 with byte-order mark)", key="exp_excel")
    st.download_button(
        "Download current bundle (.zip)",
        data=lambda: exports.build_zip(path, excel=excel, method=method),
        file_name=f"risk-bundle-{date.today():%Y%m%d}.zip", mime="application/zip",
        key="exp_download", on_click="ignore", icon="⬇️",
    )  # fmt: skip
    st.divider()
    st.markdown("**Scheduled bundles** (written by `python -m risk schedule`)")
    folder = exports_dir()  # the configured folder only: nothing typed reaches the disk
    st.text(f"Folder: {folder}")
    bundles = queries.bundle_list(folder)
    if not bundles:
        st.info("No bundle in that folder yet. Write one with:")
        st.code(f"python -m risk export --out {folder}", language="bash")
        return
    st.dataframe(
        [{"bundle": b["name"], "generated at": b["generated_at"], "rows": b["rows"],
          "files": b["files"], "checksums": "ok" if b["checksum_ok"] else "FAILED",
          "methodology": b["methodology_version"], "problem": b["problem"] or ""}
         for b in bundles[:20]], hide_index=True, key="exp_table",
    )  # fmt: skip
    bad = [b for b in bundles if not b["checksum_ok"]]
    if bad:
        st.warning(f"{len(bad)} bundle(s) fail their checksum or manifest check.")


page_exports()
