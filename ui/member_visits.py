"""The profile's tab of a member's liaison work: visits this quarter against the quota,
every visit, the problems collected and the contact persons reached."""

import streamlit as st

from models import Channel, ProblemStatus, VisitOccasion
from services.member_visits import member_visits
from services.periods import quarter_of
from ui.i18n import enum_column, fmt_number, tr
from ui.page import PageContext
from ui.periods import period_name
from ui.table import labelled_table


def visits_section(page: PageContext, member_id: int) -> None:
    work = page.cached(member_visits, member_id=member_id, today=page.today)
    quarter = quarter_of(page.today)
    figures = st.columns(3)
    figures[0].metric(tr("member_visits.this_quarter", period=period_name(quarter)),
                      fmt_number(work.this_quarter))
    figures[1].metric(tr("member_visits.all"), fmt_number(len(work.visits)))
    figures[2].metric(tr("member_visits.problems"), fmt_number(len(work.problems)))
    if work.visits.empty:
        st.info(tr("member_visits.none"))
        return
    # pandas keeps the enums' values as plain text: turned back into enums for their words
    visits = work.visits.assign(
        channel=enum_column(work.visits["channel"], Channel),
        occasion=enum_column(work.visits["occasion"], VisitOccasion))
    labelled_table(visits, {
        "visit_date": tr("visits.field.date"), "channel": tr("visits.field.channel"),
        "occasion": tr("visits.field.occasion"), "contact_targets": tr("member_visits.targets"),
        "head_count": tr("visits.field.head_count"), "summary": tr("visits.field.summary"),
        "acknowledged": tr("member_visits.acknowledged"),
    }, file_name=f"member-{member_id}-visits", entity="Visit")
    if not work.problems.empty:
        st.markdown(f"**{tr('member_visits.problems')}**")
        problems = work.problems.assign(
            status=enum_column(work.problems["status"], ProblemStatus))
        labelled_table(problems, {
            "collected_on": tr("member_visits.collected_on"),
            "content": tr("member_visits.content"), "status": tr("member_visits.status"),
        }, file_name=f"member-{member_id}-problems", entity="CollectedProblem")
    if not work.contacts_reached.empty:
        st.markdown(f"**{tr('member_visits.contacts_reached')}**")
        labelled_table(work.contacts_reached, {
            "name": tr("member_visits.contact"), "visits": tr("member_visits.times"),
            "last_visit": tr("member_visits.last_visit"),
        }, file_name=f"member-{member_id}-contacts-reached", entity="ContactPerson")
