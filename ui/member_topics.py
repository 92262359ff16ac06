"""The profile's tab of a member's consultation topics and proposals: the topics they
took part in, each with where it stands, and the proposals they signed, lead or
co-signer, with the reply and their satisfaction. A member sees their own; the office
sees those of the members of its organisations."""

import streamlit as st

from models import ProposalStatus, Satisfaction, TopicKind, TopicStage
from services import proposals, topics
from ui.i18n import enum_column, enum_text, fmt_number, tr
from ui.page import PageContext
from ui.table import labelled_table


def topics_tab(page: PageContext, member_id: int) -> None:
    taken_part = page.cached(topics.member_topics, member_id=member_id)
    signed = page.cached(proposals.member_proposals, member_id=member_id)
    figures = st.columns(3)
    figures[0].metric(tr("topics.member.topics"), fmt_number(len(taken_part)))
    figures[1].metric(tr("topics.member.proposals"), fmt_number(len(signed)))
    figures[2].metric(tr("topics.member.lead"),
                      fmt_number(int(signed["is_lead"].sum())))
    st.markdown(f"**{tr('topics.member.topics')}**")
    if taken_part.empty:
        st.info(tr("topics.member.no_topics"))
    else:
        shown = taken_part.assign(
            kind=enum_column(taken_part["kind"], TopicKind),
            stage=enum_column(taken_part["stage"], TopicStage))
        labelled_table(shown, {column: tr(f"topics.column.{column}") for column in (
            "id", "proposed_on", "kind", "title", "committee", "stage", "stage_on")},
            file_name=f"member-{member_id}-topics", entity="ConsultationTopic")
    st.markdown(f"**{tr('topics.member.proposals')}**")
    if signed.empty:
        st.info(tr("topics.member.no_proposals"))
        return
    shown = signed.assign(
        status=enum_column(signed["status"], ProposalStatus),
        satisfaction=signed["satisfaction"].map(
            lambda s: enum_text(Satisfaction(s)) if isinstance(s, str) else ""),
        is_key=signed["is_key"].map({True: tr("proposals.key_mark"), False: ""}))
    labelled_table(shown, {column: tr(f"proposals.column.{column}") for column in (
        "number", "title", "is_key", "lead", "co_signers", "submitted_on", "status",
        "replied_on", "satisfaction")},
        file_name=f"member-{member_id}-proposals", entity="Proposal")

