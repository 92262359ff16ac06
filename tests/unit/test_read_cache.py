"""Cached page reads (ui/cache.py, ``PageContext.cached``) last until the store's data
changes, whichever app process changes it: every write transaction replaces the store's
data version, and each run reads the version before its data."""

from datetime import date

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import delete

from core.db import data_version, get_engine, read_session, write_session
from models import DataVersion, Member
from services import members
from tests.helpers import factories
from ui.cache import ReadCache
from ui.page import PageContext

TODAY = date(2026, 11, 21)


def another_process(engine: Engine) -> Engine:
    """An engine of its own on the same store, as a second app process has: its URL is
    spelled differently, so it also keeps cached answers of its own."""
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite":
        folder, _, name = url.database.rpartition("/")
        url = url.set(database=f"{folder}/./{name}")
    else:
        url = url.update_query_dict({"application_name": "another_app_process"})
    return get_engine(url.render_as_string(hide_password=False))


@pytest.fixture
def member_id(engine) -> int:
    with write_session(engine) as session:
        return factories.member(session, factories.organisation(session), name="刘洋").id


def next_run(engine: Engine, admin) -> PageContext:
    """What ``open_page`` gives a new run of a page."""
    return PageContext(engine=engine, actor=admin, today=TODAY)


def phones(page: PageContext) -> list[str | None]:
    return page.cached(members.list_members, today=TODAY)["phone"].tolist()


def test_a_save_in_another_process_ends_every_process_s_cached_answer(engine, admin,
                                                                        member_id):
    other = another_process(engine)
    assert phones(next_run(engine, admin)) == [None]
    assert phones(next_run(other, admin)) == [None]

    with write_session(other) as session:
        members.update_member_contact(session=session, actor=admin, member_id=member_id,
                                      expected_version=1, phone="13800138000")

    assert phones(next_run(engine, admin)) == ["13800138000"]
    assert phones(next_run(other, admin)) == ["13800138000"]


def test_until_the_data_version_changes_the_cached_answer_is_given(engine, admin, member_id):
    assert phones(next_run(engine, admin)) == [None]
    with write_session(engine, bump_data_version=False) as session:  # as no page may
        session.get(Member, member_id).phone = "13800138000"
    assert phones(next_run(engine, admin)) == [None]  # read from the cache, not the store

    with write_session(engine):
        pass  # any write transaction: the version moves on
    assert phones(next_run(engine, admin)) == ["13800138000"]


def test_a_run_keeps_the_version_it_began_with(engine, admin, member_id):
    run = next_run(engine, admin)
    assert phones(run) == [None]
    with write_session(another_process(engine)) as session:
        members.update_member_contact(session=session, actor=admin, member_id=member_id,
                                      expected_version=1, phone="13800138000")
    assert phones(run) == [None]  # one run draws one state of the store
    assert phones(next_run(engine, admin)) == ["13800138000"]


def test_bookkeeping_that_no_page_shows_keeps_the_data_version(engine, admin):
    with read_session(engine) as session:
        before = data_version(session)
    with write_session(engine, bump_data_version=False):
        pass  # as ui.auth notes a session's last activity, once a minute per person
    with read_session(engine) as session:
        assert data_version(session) == before


def test_each_caller_gets_its_own_copy(engine, admin, member_id):
    first = next_run(engine, admin).cached(members.list_members, today=TODAY)
    first["name"] = "changed by a page"
    assert phones(next_run(engine, admin)) == [None]
    again = next_run(engine, admin).cached(members.list_members, today=TODAY)
    assert again["name"].tolist() == ["刘洋"]


def test_a_store_without_its_version_row_reads_directly_until_the_next_write(engine, admin,
                                                                             member_id):
    with write_session(engine, bump_data_version=False) as session:
        session.exec(delete(DataVersion))  # as the tests' own emptying of a store does
    with read_session(engine) as session:
        assert data_version(session) is None
    with write_session(engine, bump_data_version=False) as session:
        session.get(Member, member_id).phone = "13800138000"
    assert phones(next_run(engine, admin)) == ["13800138000"]  # nothing cached

    with write_session(engine):
        pass
    with read_session(engine) as session:
        assert data_version(session) is not None


# --- the cache's own bounds ---------------------------------------------------------------


def answer(cache: ReadCache, *, version: int, argument: int, computed: list[int]) -> int:
    def compute() -> int:
        computed.append(argument)
        return argument * 10

    return cache.answer(store="sqlite:///x.db", data_version=version, service=answer,
                        arguments={"argument": argument}, compute=compute)


def test_answers_of_an_older_version_are_dropped_when_a_newer_one_is_seen():
    cache, computed = ReadCache(max_entries=10, max_bytes=10_000), []
    assert answer(cache, version=1, argument=1, computed=computed) == 10
    assert answer(cache, version=1, argument=1, computed=computed) == 10
    assert computed == [1]
    answer(cache, version=2, argument=1, computed=computed)
    answer(cache, version=1, argument=1, computed=computed)  # a run that began earlier
    assert computed == [1, 1, 1]


def test_the_least_recently_used_answer_goes_first_when_the_cache_is_full():
    cache, computed = ReadCache(max_entries=2, max_bytes=10_000), []
    for argument in (1, 2, 1, 3):  # 1 was used again after 2, so 2 goes for 3
        answer(cache, version=1, argument=argument, computed=computed)
    answer(cache, version=1, argument=1, computed=computed)
    answer(cache, version=1, argument=2, computed=computed)
    assert computed == [1, 2, 3, 2]
