"""Annotations: add, browse, edit, delete, restore, and read each note's history.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import team
from app_pages.common import (
    after_save,
    database,
    methodology,
    read,
    show_problems,
)
from risk import access, annotations
from risk.errors import RiskError, ValidationError
from risk.identity import Actor
from risk.methodology import COMPOSITE
from risk.views import queries


def page_annotations() -> None:
    st.header("Annotations")
    who = team.actor()
    deps = read(queries.organisation_choices, "dependent")
    if not who.can(access.ANNOTATE):  # readers browse; the add form is not theirs
        annotation_browser(deps, who)
        return
    add_tab, list_tab = st.tabs(["Add", "List, edit, history"])
    with add_tab:
        annotation_form(deps, who, None)
    with list_tab:
        annotation_browser(deps, who)


def _family_choice(value: str | None) -> str:
    return "— the dependent as a whole —" if value is None else value


def annotation_form(deps: list[str], who: Actor, current: dict | None) -> None:
    """Add (current is None) or edit one annotation; problems shown beside their field."""
    method = methodology()
    key = "ann_new" if current is None else f"ann_{current['id']}"
    fams = [None, COMPOSITE, *method.families]
    cur = current or {}
    slots = {}
    with st.form(key):
        a, b, c = st.columns(3)
        dep = a.selectbox("dependent", deps, key=f"{key}_dep", placeholder="choose one",
                          index=deps.index(cur["dependent"]) if cur.get("dependent") in deps
                          else None)  # fmt: skip
        slots["dependent"] = a.empty()
        fam = b.selectbox("family", fams, format_func=_family_choice, key=f"{key}_fam",
                          index=fams.index(cur.get("family")) if cur.get("family") in fams
                          else 0)  # fmt: skip
        slots["family"] = b.empty()
        ev = c.text_input("evidence id (optional)", value=cur.get("evidence_id") or "",
                          key=f"{key}_ev")  # fmt: skip
        slots["evidence_id"] = c.empty()
        start = a.date_input("date", value=cur.get("start_date") or date.today(),
                             key=f"{key}_date")  # fmt: skip
        slots["date"] = a.empty()
        end = b.date_input("end date (optional, for a range)", value=cur.get("end_date"),
                           key=f"{key}_end")  # fmt: skip
        slots["end_date"] = b.empty()
        tags = c.text_input("tags (comma separated)", value=", ".join(cur.get("tags") or []),
                            key=f"{key}_tags")  # fmt: skip
        slots["tags"] = c.empty()
        title = st.text_input("title", value=cur.get("title") or "", key=f"{key}_title")
        slots["title"] = st.empty()
        body = st.text_area("body", value=cur.get("body") or "", key=f"{key}_body")
        slots["body"] = st.empty()
        label = "Add annotation" if current is None else f"Save changes to #{current['id']}"
        submitted = st.form_submit_button(label, key=f"{key}_submit")
    if not submitted:
        return
    fields = {"dependent": dep, "family": fam, "evidence_id": ev.strip() or None,
              "date": start, "end_date": end, "title": title, "body": body,
              "tags": queries.split_tags(tags)}  # fmt: skip
    try:
        if current is None:
            saved = annotations.add(fields, who, database(), methodology())
            message = f"Added annotation #{saved['id']}."
        else:
            saved = annotations.edit(current["id"], fields, who, database(),
                                       methodology())  # fmt: skip
            message = f"Saved #{saved['id']}, now at revision {saved['revision']}."
    except ValidationError as exc:
        show_problems(exc.problems, slots)
        return
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return
    fields_keys = ("dep", "fam", "ev", "date", "end", "tags", "title", "body")
    after_save(message, [f"{key}_{name}" for name in fields_keys])


def annotation_browser(deps: list[str], who: Actor) -> None:
    a, b, c, d = st.columns(4)
    dep = a.selectbox("Dependent", [None, *deps], format_func=lambda v: v or "all",
                      key="ann_f_dep")  # fmt: skip
    tag = b.text_input("Tag", key="ann_f_tag")
    by = c.text_input("Author", key="ann_f_author")
    deleted = d.checkbox("Include deleted", key="ann_f_deleted")
    try:
        notes = read(queries.annotation_list, dep, tag.strip(), None, None, by.strip(), deleted)
    except ValidationError as exc:
        st.error(queries.md_escape("; ".join(exc.problems)))
        return
    if not notes:
        st.info("No annotation matches these filters.")
        return
    st.dataframe(
        [{"id": n["id"], "dependent": n["dependent"], "family": n["family"] or "",
          "date": n["start_date"], "end": n["end_date"], "title": n["title"],
          "tags": ", ".join(n["tags"]), "author": n["author"], "revision": n["revision"],
          "deleted": n["deleted"]} for n in notes],
        hide_index=True, key="ann_table",
    )  # fmt: skip
    by_id = {n["id"]: n for n in notes}
    chosen = st.selectbox("Open annotation", list(by_id), key="ann_open",
                          format_func=lambda i: f"#{i} {by_id[i]['title'][:60]}")  # fmt: skip
    note = by_id[chosen]
    with st.container(border=True):
        st.text(note["title"])
        st.text(note["body"])
        until = f" → {note['end_date']}" if note["end_date"] else ""
        st.text(f"{note['dependent']} · {note['family'] or 'whole dependent'} · "
                f"{note['start_date']}{until} · by {note['author']}, "
                f"revision {note['revision']}")  # fmt: skip
    if who.can(access.ANNOTATE):  # readers get no controls
        _note_controls(deps, who, note)
    with st.expander("History"):
        history = read(queries.annotation_history, chosen)
        st.dataframe(
            [{"revision": h["revision"], "action": h["action"], "by": h["author"],
              "when": h["changed_at"], "title": h["title"], "body": h["body"],
              "date": h["start_date"], "end": h["end_date"], "deleted": h["deleted"]}
             for h in history], hide_index=True,
        )  # fmt: skip


def _note_controls(deps: list[str], who: Actor, note: dict) -> None:
    """Delete, restore and edit, for the note's author, a methodologist or an admin."""
    if not who.may_change_note_of(note["author"]):
        st.text(f"Only its author ({note['author']}) or a methodologist or admin can change "
                "this note.")  # fmt: skip
        return
    left = st.columns(2)[0]
    if note["deleted"]:
        if left.button("Restore", key=f"ann_restore_{note['id']}"):
            _annotation_write(annotations.restore, note["id"], who)
        return
    if left.button("Delete (restorable)", key=f"ann_delete_{note['id']}"):
        _annotation_write(annotations.delete, note["id"], who)
    with st.expander("Edit"):
        annotation_form(deps, who, note)


def _annotation_write(action, annotation_id: int, who: Actor) -> None:  # noqa: ANN001
    try:
        action(annotation_id, who, database())
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return
    st.rerun()


page_annotations()
