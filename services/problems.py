"""Problems and suggestions collected at visits (and workstation activities), followed up
by the committee of the member who collected them until they are handled.

The follow-up (``ProblemStatus``): pending → referred to a department → handled → the
reply passed back to the people who raised it; or turned into an opinion report, a
consultation-topic suggestion, or closed without action (reason required). Every change
is a ``ProblemStatusChange`` row.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from models import CollectedProblem, ListKind, ProblemStatus, ProblemStatusChange
from services.actors import Actor
from services.lists import entry_names
from services.text import clean_text

MAX_PROBLEMS = 20  # items on one form
CONTENT_LENGTH = 500


@dataclass(frozen=True)
class ProblemItem:
    """One problem or suggestion as a form gives it."""

    content: str
    category_id: int | None = None


def cleaned_items(items: Sequence[ProblemItem]) -> list[ProblemItem]:
    """The items with their text cleaned; blank items (an empty row left on the form)
    are dropped."""
    cleaned = [ProblemItem(clean_text(item.content, single_line=False), item.category_id)
               for item in items]
    return [item for item in cleaned if item.content]


def item_errors(session: Session, organisation_id: int,
                items: Sequence[ProblemItem]) -> str | None:
    """The message key of what is wrong with the (cleaned) items, or None."""
    if len(items) > MAX_PROBLEMS:
        return "problems.error.too_many"
    if any(len(item.content) > CONTENT_LENGTH for item in items):
        return "problems.error.too_long"
    categories = entry_names(session=session, organisation_id=organisation_id,
                             kind=ListKind.PROBLEM_CATEGORY)
    for item in items:
        if item.category_id is None and categories:
            return "problems.error.category_required"
        if item.category_id is not None and item.category_id not in categories:
            return "problems.error.unknown_category"
    return None


def add_problems(session: Session, actor: Actor, *, organisation_id: int, committee_id: int,
                 collected_on: date, items: Sequence[ProblemItem], visit_id: int | None = None,
                 activity_id: int | None = None) -> list[CollectedProblem]:
    """Store checked items as pending problems, each with the first row of its history.
    The caller has checked the items (``item_errors``) and audits the record they came
    with."""
    problems = [
        CollectedProblem(organisation_id=organisation_id, committee_id=committee_id,
                         visit_id=visit_id, activity_id=activity_id, content=item.content,
                         category_id=item.category_id, collected_on=collected_on,
                         status=ProblemStatus.PENDING)
        for item in items
    ]
    session.add_all(problems)
    session.flush()
    session.add_all([
        ProblemStatusChange(problem_id=problem.id, from_status=None,
                            to_status=ProblemStatus.PENDING, actor_user_id=actor.user_id,
                            actor_name=actor.name)
        for problem in problems
    ])
    return problems
