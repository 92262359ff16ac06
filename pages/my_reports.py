"""我的社情民意: a member's own reports, where each stands, and every reply and
instruction received; what arrived since the member last looked is marked new (the
sidebar shows how many reports have news). A report returned for revision is revised
and resubmitted here."""

import streamlit as st

from models import AdoptionLevel, OpinionStatus
from services import opinion_board
from ui.flash import show_flash
from ui.i18n import enum_text, fmt_number, tr
from ui.page import open_page
from ui.report_view import report_section, status_text
from ui.table import labelled_table, last_chosen

page = open_page()
st.title(tr("nav.my_reports"))
show_flash()
rows = page.read(opinion_board.my_reports, today=page.today)
if rows.empty:
    st.info(tr("opinion.mine.empty"))
    st.stop()
news = int((rows["new"] > 0).sum())
st.caption(tr("opinion.mine.count", count=fmt_number(len(rows)), news=fmt_number(news)))
shown = rows.assign(
    status=[status_text(OpinionStatus(s), d)
            for s, d in zip(rows["status"], rows["overdue_days"], strict=True)],
    new=rows["new"].map(lambda n: tr("opinion.mine.new_mark", count=n) if n else ""),
    role=rows["is_lead"].map(lambda lead: tr("opinion.mine.lead" if lead else "opinion.mine.co")),
    adoption_level=rows["adoption_level"].map(
        lambda v: enum_text(AdoptionLevel(v)) if isinstance(v, str) else ""),
)
labels = {"new": tr("opinion.mine.new"), "id": tr("opinion.column.id"),
          "title": tr("opinion.column.title"), "status": tr("opinion.column.status"),
          "role": tr("opinion.mine.role"), "submitted_on": tr("opinion.column.submitted_on"),
          "adoption_level": tr("opinion.column.adoption_level"),
          "departments": tr("opinion.column.departments"),
          "replies": tr("opinion.mine.replies"), "instructions": tr("opinion.mine.instructions")}
clicked = labelled_table(shown, labels, file_name="my_reports", entity="OpinionReport",
                         pick=True, screen_only=("new",))
titles = rows.set_index("id")["title"]
picked = st.selectbox(tr("opinion.open"), [None, *titles.index], key="my_reports.pick",
                      format_func=lambda i: tr("opinion.open_none") if i is None
                      else f"#{i} {titles[i][:40]}")
opened = last_chosen("my_reports", picked, clicked)
if opened is not None:
    with st.container(border=True):
        report_section(page, int(opened))
