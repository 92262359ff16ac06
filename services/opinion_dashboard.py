"""The opinion pipeline dashboard (社情民意流转): what it shows besides the figures of
``services.opinion_figures``: how the days from submission to the feedback to the
members are spread.

The reports counted are exactly those of ``opinion_figures`` under the same
``FigureFilters`` (the live reports the actor may read, by submission date, organisation,
committee, sector at submission and through-train), so this distribution and the
turnaround's median and 90th percentile describe the same reports: the selection and the
day count are ``opinion_figures``' own (``_reports``, ``_days_between``), imported rather
than written a second time. Counted in SQL, one row per bin.
"""

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from models import OpinionReport
from services.actors import Actor
from services.opinion_figures import (
    NO_FILTERS,
    READERS,
    FigureFilters,
    _days_between,
    _reports,
)


@dataclass(frozen=True)
class DayBin:
    """From ``low`` to ``high`` days, inclusive; ``high`` None: ``low`` days or more.
    The bins start at 0 and follow each other without a gap."""

    low: int
    high: int | None


FEEDBACK_BINS = (DayBin(0, 7), DayBin(8, 15), DayBin(16, 30), DayBin(31, 60),
                 DayBin(61, 90), DayBin(91, None))
DISTRIBUTION_COLUMNS = ["low", "high", "reports"]


def days_to_feedback(*, session: Session, actor: Actor,
                     filters: FigureFilters = NO_FILTERS) -> pd.DataFrame:
    """How many of the reports got their feedback to the members (``feedback_on`` set)
    within each span of days after submission (``FEEDBACK_BINS``, as
    ``DISTRIBUTION_COLUMNS``; ``high`` is missing for the last, open span): every bin in
    order, zeros included."""
    actor.require_role(*READERS)
    bins = FEEDBACK_BINS
    days = _days_between(col(OpinionReport.feedback_on), col(OpinionReport.submitted_on),
                         session.get_bind().dialect.name)
    which = case(*((days <= one.high, index) for index, one in enumerate(bins)
                   if one.high is not None), else_=len(bins) - 1)
    per_report = (_reports(actor, filters, which.label("bin"))
                  .where(col(OpinionReport.feedback_on).is_not(None)).subquery())
    found = dict(session.exec(
        select(per_report.c.bin, func.count()).group_by(per_report.c.bin)).all())
    return pd.DataFrame(
        [(one.low, one.high, int(found.get(index, 0))) for index, one in enumerate(bins)],
        columns=DISTRIBUTION_COLUMNS).astype({"high": "Int64"})
