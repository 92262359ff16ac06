"""Sign-in around streamlit-authenticator.

The library draws the sign-in form and keeps its cookie; our code closes its gaps:

- Credentials come from the users table (``sign_in.widget_credentials``, no hashes) and
  the library's ``check_credentials`` is replaced by ``sign_in.authenticate``: bcrypt,
  lockout counted in the store, equal time for unknown users.
- Its cookie names only a username and an expiry, so anyone holding the signing key
  could make one. Ours also carries a random session token (``_write_cookie``), and every
  run checks that token's session row in the store (``sign_in.check_session``), which
  keeps only the token's hash: logout, password change, deactivation and idleness end
  it for every copy of the cookie in every app process.
- It draws its cookie component on every run, and the component reruns the script when
  it mounts, dropping what someone is typing. We read the cookie from the request
  (``st.context.cookies``, as the library does) and draw the component only when a cookie
  is to be set or deleted (``_CookieManagerOnDemand``).
- A component drawn just before ``st.rerun`` may never run, and the component reruns the
  script itself once it has run; so a sign-in ends by drawing the cookie component, whose
  own rerun opens the signed-in app (``_start_signed_in_session``). A sign-out's cookie
  deletion is drawn last in the sidebar (``finish_run``) so that nothing shifts.

The forms are drawn by a page (``sign_in_page``), not by app.py before ``st.navigation``:
Streamlit treats the first rerun after loading as a page change and drops values typed
into widgets that the entrypoint drew.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import extra_streamlit_components as stx
import jwt
import streamlit as st
import streamlit_authenticator as stauth
import streamlit_authenticator.models.cookie_model as library_cookie_model
from sqlalchemy.engine import Engine

from core import clock
from core.config import configured_cookie_key, load_settings
from core.db import ConfigurationProblem, get_engine, read_session, write_session
from services import sign_in, users
from services.actors import Actor
from services.server_key import server_key
from services.sign_in import SignIn, SignInResult
from ui.fields import password_field, text_field
from ui.flash import clear_flash, flash, show_flash
from ui.forms import save_form
from ui.i18n import enum_text, fmt_time, tr

COOKIE_NAME = "liaison_session"
COOKIE_EXPIRY_DAYS = 1.0
_SESSION = "liaison_session"
_OUTCOME = "liaison_sign_in_outcome"
_DELETE_COOKIE = "liaison_delete_cookie"


class _CookieManagerOnDemand:
    """extra-streamlit-components' CookieManager, drawn on the first set or delete only."""

    def __init__(self) -> None:
        self._manager: stx.CookieManager | None = None

    def _drawn(self) -> stx.CookieManager:
        if self._manager is None:
            self._manager = stx.CookieManager()
        return self._manager

    def set(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("secure", _served_over_https())
        self._drawn().set(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> None:
        self._drawn().delete(*args, **kwargs)


def _served_over_https() -> bool:
    """Mark the cookie Secure whenever the page came over HTTPS (directly or through the
    proxy), so it never travels in clear; plain http on a developer's machine still works."""
    forwarded = (st.context.headers.get("X-Forwarded-Proto") or "").lower()
    return forwarded == "https" or (st.context.url or "").startswith("https://")


# Only the library's cookie module sees the on-demand manager; other users of
# extra-streamlit-components keep the original.
library_cookie_model.stx = SimpleNamespace(CookieManager=_CookieManagerOnDemand)


def _idle_timeout() -> timedelta:
    return timedelta(minutes=load_settings().idle_timeout_minutes)


@st.cache_resource(show_spinner=False)
def _cached_server_key(database_url: str, configured: str | None) -> str:
    """Read (or make) once per process: the key is configured or lives in the store,
    shared by processes; rotating it means restarting them."""
    with write_session(get_engine(database_url)) as session:
        return server_key(session=session, configured=configured)


def _server_key(engine: Engine) -> str:
    try:
        configured = configured_cookie_key()
    except ValueError as exc:
        raise ConfigurationProblem(cause=str(exc)) from exc
    return _cached_server_key(engine.url.render_as_string(hide_password=False), configured)


def _authenticator(engine: Engine, *, for_sign_in: bool = False) -> stauth.Authenticate:
    """The library's object. Only the sign-in form needs the users' names; reading the
    cookie and signing out do not, so other runs skip loading them."""
    key = _server_key(engine)
    credentials: dict = {"usernames": {}}
    if for_sign_in:
        with read_session(engine) as session:
            credentials = sign_in.widget_credentials(session=session)
    authenticator = stauth.Authenticate(
        credentials, cookie_name=COOKIE_NAME, cookie_key=key,
        cookie_expiry_days=COOKIE_EXPIRY_DAYS, auto_hash=False, login_sleep_time=0,
    )

    def check_credentials(username: str, password: str) -> bool:
        outcome = sign_in.authenticate(engine=engine, username=username, password=password,
                                       now=clock.now(), server_key=key)
        st.session_state[_OUTCOME] = outcome
        return outcome.result is SignInResult.OK

    authenticator.authentication_controller.authentication_model.check_credentials = (
        check_credentials
    )
    return authenticator


def _forget_sign_in(authenticator: stauth.Authenticate, notice: str | None) -> None:
    """Drop the local sign-in state; the browser's cookie is deleted at the end of the run
    (the store refuses it already)."""
    st.session_state.pop(_SESSION, None)
    authenticator.authentication_controller.logout()  # the library's state, no drawing
    st.session_state[_DELETE_COOKIE] = True
    if notice:
        flash(notice, level="info", replace=False)


def finish_run(engine: Engine) -> None:
    """Delete the sign-in cookie after a sign-out, at the bottom of the sidebar, where the
    library's cookie component comes and goes without moving anything the user sees."""
    if not st.session_state.pop(_DELETE_COOKIE, False):
        return
    with st.sidebar:
        _authenticator(engine).cookie_controller.delete_cookie()


def _write_cookie(authenticator: stauth.Authenticate, token: str, expiry: float) -> None:
    """The library's cookie (a JWT signed with the server key), with our session token
    added: the library's own token names only the username and the expiry."""
    model = authenticator.cookie_controller.cookie_model
    claims = {"username": st.session_state["username"], "exp_date": expiry, "sid": token}
    model.cookie_manager.set(
        model.cookie_name, jwt.encode(claims, model.cookie_key, algorithm="HS256"),
        expires_at=datetime.fromtimestamp(expiry),
    )


def _start_signed_in_session(engine: Engine, authenticator: stauth.Authenticate,
                             user_id: int) -> None:
    """Open the session row and write its cookie. The cookie component reruns the script
    once the browser has stored the cookie; that rerun opens the signed-in app. (An
    ``st.rerun`` here could drop the component before it runs, and a second rerun would
    swallow a click made meanwhile.)"""
    # The browser and the library judge the cookie's expiry by the wall clock, not by the
    # app's clock (which tests and demos may pin).
    expiry = (datetime.now(UTC) + timedelta(days=COOKIE_EXPIRY_DAYS)).timestamp()
    with write_session(engine) as session:
        token = sign_in.start_session(session=session, user_id=user_id, cookie_expiry=expiry,
                                      now=clock.now())
    _write_cookie(authenticator, token, expiry)
    st.session_state[_SESSION] = token
    st.info(tr("signin.entering"), icon=":material/login:")
    st.button(tr("signin.enter"), key="enter_app")  # should the browser not rerun by itself


def _resume(engine: Engine, authenticator: stauth.Authenticate) -> Actor | None:
    """The actor of this browser's sign-in, checked against the store on every run."""
    current = st.session_state.get(_SESSION)
    if current is None:
        cookie = authenticator.cookie_controller.get_cookie()
        if not cookie:
            return None
        current = cookie.get("sid")
        if not isinstance(current, str):  # a cookie made without a session token
            _forget_sign_in(authenticator, "signin.notice.ended")
            return None
    now = clock.now()
    with read_session(engine) as session:
        check = sign_in.check_session(session=session, token=current, now=now,
                                      idle_timeout=_idle_timeout())
    if check.needs_write:  # no page shows it: cached reads stay valid
        with write_session(engine, bump_data_version=False) as session:
            sign_in.record_session_check(session=session, check=check, now=now)
    actor = check.actor
    if actor is None:
        _forget_sign_in(authenticator, "signin.notice.ended")
        return None
    st.session_state[_SESSION] = current
    return actor


def still_signed_in(engine: Engine, actor: Actor, *, activity: bool = False) -> bool:
    """Whether this browser's sign-in still holds for ``actor``: a dashboard's fragment
    reruns by itself without app.py (and its check), so it asks here first. A rerun
    nobody asked for is not activity, so by default this only reads and does not put
    off the idle time-out; ``activity`` records it as activity (a presentation running
    on a projector, ``pages/meeting.py``)."""
    current = st.session_state.get(_SESSION)
    if current is None:
        return False
    now = clock.now()
    with read_session(engine) as session:
        check = sign_in.check_session(session=session, token=current, now=now,
                                      idle_timeout=_idle_timeout())
    if activity and check.actor == actor and check.needs_write:
        with write_session(engine, bump_data_version=False) as session:
            sign_in.record_session_check(session=session, check=check, now=now)
    return check.actor == actor


def _account_box(engine: Engine, authenticator: stauth.Authenticate, actor: Actor) -> bool:
    """Who is signed in, and the sign-out button. True when they signed out (the box is
    then cleared at once, so the signed-out page does not still show the name)."""
    box = st.sidebar.empty()
    with box.container():
        st.caption(tr("signin.signed_in_as", name=actor.label, role=enum_text(actor.role)))
        if not st.button(tr("signin.sign_out"), icon=":material/logout:", key="sign_out"):
            return False
    box.empty()
    with write_session(engine) as session:
        sign_in.sign_out(session=session, actor=actor, now=clock.now())
    _forget_sign_in(authenticator, "signin.notice.signed_out")
    return True


def signed_in_actor(engine: Engine) -> Actor | None:
    """The signed-in actor (drawing who it is and the sign-out button), or None."""
    authenticator = _authenticator(engine)
    actor = _resume(engine, authenticator)
    if actor is None or _account_box(engine, authenticator, actor):
        return None
    return actor


def _setup_form(engine: Engine) -> None:
    """First run: create the first administrator (there is no default account), with the
    one-time token the start command printed to the server's console."""
    st.title(tr("setup.title"))
    st.markdown(tr("setup.body"))
    st.info(tr("setup.token_hint"), icon=":material/key:")
    with st.form("setup"):
        setup_token = text_field("setup", "setup_token", tr("setup.token"), max_chars=40,
                                 type="password", help=tr("setup.token_help"))
        username = text_field("setup", "username", tr("users.username"), max_chars=60)
        display_name = text_field("setup", "display_name", tr("users.display_name"),
                                  max_chars=60)
        password = password_field("setup", "password", tr("password.new"),
                                  help=tr("password.policy"))
        confirm = password_field("setup", "confirm", tr("password.confirm"))
        submitted = st.form_submit_button(tr("setup.submit"), type="primary")
    if submitted and save_form("setup", engine, lambda session: users.create_first_admin(
        session=session, username=username, display_name=display_name, password=password,
        confirm=confirm, setup_token=setup_token,
    )):
        flash("setup.done", level="info")
        st.rerun()


def _show_outcome(outcome: SignIn | None) -> None:
    if outcome is None or outcome.result is SignInResult.OK:
        return
    if outcome.result is SignInResult.LOCKED:
        st.error(tr("signin.error.locked", until=fmt_time(outcome.locked_until)),
                 icon=":material/lock:")
    elif outcome.result is SignInResult.EXPIRED:
        st.error(tr("signin.error.expired"), icon=":material/timer_off:")
    else:
        st.error(tr("signin.error.invalid"), icon=":material/error:")


def _sign_in_form(engine: Engine) -> None:
    authenticator = _authenticator(engine, for_sign_in=True)
    # The library writes its own cookie right after a good password; ours (with the session
    # token) is written below, once the session row is open.
    authenticator.cookie_controller.set_cookie = lambda: None
    st.title(tr("app.name"))
    # Shown until the next attempt: a rerun (the cookie component mounting after a
    # sign-out) must not take it away before it has been read.
    show_flash(until_cleared=True)
    authenticator.login(
        location="main", key="sign_in",
        fields={"Form name": tr("signin.title"), "Username": tr("signin.username"),
                "Password": tr("signin.password"), "Login": tr("signin.submit")},
    )
    outcome: SignIn | None = st.session_state.pop(_OUTCOME, None)
    if outcome is not None:
        clear_flash()
    _show_outcome(outcome)
    if st.session_state.get("authentication_status") and outcome and outcome.user_id:
        _start_signed_in_session(engine, authenticator, outcome.user_id)


def sign_in_page(engine: Engine) -> None:
    """The only page before sign-in: the first-run setup, or the sign-in form."""
    with read_session(engine) as session:
        has_users = users.has_users(session=session)
    if has_users:
        _sign_in_form(engine)
    else:
        _setup_form(engine)


def notify_next_sign_in(message_key: str) -> None:
    """A message for the sign-in form, e.g. after a password change ended the session."""
    flash(message_key, level="info")
