"""Quick entry of a visit (走访登记): the registration form that staff copy from paper and
WeChat all day. The date starts on today, the channel and occasion on the user's last
choice (face to face, routine, for a first visit); after a save the form is ready for
the next visit, keeping date and channel.

Saved exactly once: each filled-in form has an idempotency key (a token of this form
and a digest of what it holds). A double click or a repeated run sends the same key and
finds the visit the first one saved.
"""

import hashlib
import secrets

import streamlit as st

from models import Channel, Role
from services import visits
from services.organisations import visible_organisations
from services.visits import VisitInput
from ui.flash import flash, show_flash
from ui.forms import field_key, save_form
from ui.i18n import tr
from ui.page import open_page
from ui.visit_form import visit_fields

FORM = "visit_entry"
# What the next visit starts with: the date and channel, and the occasion and default
# category (the user's last choices, which the form would start on anyway).
KEPT = ("visit_date", "channel", "occasion", "default_category")
TOKEN = f"{FORM}.#token"
LAST = f"{FORM}.#last"  # (digest, key) of the visit saved last
_EMPTY: dict[type, object] = {list: [], str: "", bool: False}  # anything else: None

page = open_page()
st.title(tr("visits.entry.title"), anchor=False)
st.caption(tr("visits.entry.caption"))


def digest_of(data: VisitInput) -> str:
    return hashlib.sha256(repr(visits.clean_input(data)).encode()).hexdigest()


def idempotency_key(digest: str) -> str:
    """The same key for the same form holding the same values: a second submit of what
    was just saved (a double click, whose second run still carries the old values)
    finds that visit; anything typed after a save is a new visit."""
    last = st.session_state.get(LAST)
    if last is not None and last[0] == digest:
        return last[1]
    token = st.session_state.setdefault(TOKEN, secrets.token_hex(8))
    return hashlib.sha256(f"{page.actor.user_id}:{token}:{digest}".encode()).hexdigest()


def ready_for_the_next() -> None:
    """Empty every field but those ``KEPT``, before the widgets are drawn. Each is set to
    its empty value rather than forgotten: the browser would otherwise send back what it
    still shows."""
    if not st.session_state.pop(f"{FORM}.#reset", False):
        return
    kept = {field_key(FORM, name) for name in KEPT}
    for key in [k for k in st.session_state if str(k).startswith(f"{FORM}.")]:
        if key not in kept and not key.startswith(f"{FORM}.#"):
            st.session_state[key] = _EMPTY.get(type(st.session_state[key]))
    st.session_state[TOKEN] = secrets.token_hex(8)


def organisation_id() -> int:
    """Where the visit is entered: the user's organisation, or one below it."""
    own = page.actor.organisation_id
    if page.actor.role is Role.MEMBER or own is None:
        return own or 1
    rows = page.cached(visible_organisations)
    if len(rows) <= 1:
        return own
    names = {row.id: row.indented_name for row in rows}
    return st.selectbox(tr("visits.field.organisation"), list(names), format_func=names.get,
                        index=list(names).index(own) if own in names else 0,
                        key=f"{FORM}.#organisation")


ready_for_the_next()
show_flash()
last = page.read(visits.last_choices)
data = visit_fields(FORM, page, organisation_id=organisation_id(),
                    default_channel=last.channel or Channel.FACE_TO_FACE,
                    default_occasion=(last.occasion, last.campaign_id))
if page.actor.role is Role.MEMBER:
    st.caption(tr("visits.entry.member_note"))
if st.button(tr("visits.entry.save"), type="primary", icon=":material/save:",
             key=f"{FORM}.#save"):
    digest = digest_of(data)
    key = idempotency_key(digest)
    saved: list[int] = []
    if save_form(FORM, page.engine, lambda session: saved.append(visits.record_visit(
            session=session, actor=page.actor, data=data, idempotency_key=key,
            today=page.today).id)):
        st.session_state[LAST] = (digest, key)
        st.session_state[f"{FORM}.#reset"] = True
        flash("visits.entry.saved", number=saved[0], problems=len(data.problems))
        st.rerun()
