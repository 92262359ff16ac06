"""What the imports of historical records share: the visits an office registered
(``visit_import``) and the reports it sent (``report_import``) before it used Liaison.

Both are imports of records that are only ever added, never updated, run through the
roster import's two steps (``roster_import.run_import``), and both must read a file the
same way whichever kind it holds, so the rules live here once:

- **The two steps** (``HistoryImport``): a preview, which is the import rolled back, and
  an all-or-nothing commit, over one kind's rows.
- **Exactly once.** A record's idempotency key is the file's SHA-256 and the row's
  number (``idempotency_prefix``); the keys already imported from the file are read once
  (``imported_keys``), so importing the same file again writes nothing.
- **Members by name** (``MembersByName``), among the live members of the importing
  user's organisations, read once per import. A name two of them share is ambiguous
  until the birth year in brackets (``王芳(1975)``) names one of them.
- **Categories by name** (``ListWords``): an organisation's list, read once per
  organisation however many rows name it.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models import ListEntry, ListKind, Member
from services import import_files as cells
from services.actors import Actor
from services.import_files import Column, Sheet
from services.lists import entries
from services.organisations import in_scope
from services.roster_import import (
    ImportReport,
    Progress,
    RowCells,
    RowImporter,
    run_import,
    shown,
)
from services.text import clean_text

_MEMBER_SEPARATORS = re.compile(r"[、;；]")
_BIRTH_YEAR = re.compile(r"(.+?)\s*[(（]\s*([0-9０-９]{4})\s*[)）]")


def word(text: str) -> str:
    """A name as compared: full-width letters, case, spaces and ``_`` do not count."""
    return cells.header_key(text)


# --- the two steps ---------------------------------------------------------------------


class HistoryRows(Protocol):
    """Makes one kind's rows for one run: the run's session, the importing user, the
    file's SHA-256 and the day the rows' dates may not be after."""

    def __call__(self, *, session: Session, actor: Actor, sha256: str,
                 today: date) -> RowImporter: ...


@dataclass(frozen=True)
class HistoryImport:
    """One kind of historical import: its name (as the import page and the command line
    give it), its columns, the entity its audit row names and its rows. Its two steps
    are the module-level ``preview_import`` and ``commit_import`` of the kind's module,
    which the page and ``manage.py import`` call alike."""

    kind: str
    columns: Sequence[Column]
    entity: str
    rows: HistoryRows

    def preview_import(self, *, engine: Engine, actor: Actor, content: bytes,
                       file_name: str, today: date,
                       progress: Progress | None = None) -> ImportReport:
        """What importing the file would do: the import itself, rolled back."""
        return self._run(engine=engine, actor=actor, content=content, file_name=file_name,
                         today=today, progress=progress, commit=False, expected=None)

    def commit_import(self, *, engine: Engine, actor: Actor, content: bytes,
                      file_name: str, today: date, expected: ImportReport | None = None,
                      progress: Progress | None = None) -> ImportReport:
        """Import the file's records, all or nothing (see
        ``roster_import.commit_import``)."""
        return self._run(engine=engine, actor=actor, content=content, file_name=file_name,
                         today=today, progress=progress, commit=True, expected=expected)

    def _run(self, *, engine: Engine, actor: Actor, content: bytes, file_name: str,
             today: date, progress: Progress | None, commit: bool,
             expected: ImportReport | None) -> ImportReport:
        def rows(session: Session, sheet: Sheet, sha256: str) -> RowImporter:
            return self.rows(session=session, actor=actor, sha256=sha256, today=today)

        return run_import(engine=engine, actor=actor, kind=self.kind, columns=self.columns,
                          entity=self.entity, rows=rows, content=content,
                          file_name=file_name, progress=progress, commit=commit,
                          expected=expected)


# --- exactly once ----------------------------------------------------------------------


def idempotency_prefix(sha256: str) -> str:
    """The start of the idempotency key of every record imported from one file."""
    return f"import:{sha256[:40]}:"


def imported_keys(*, session: Session, key: Any, prefix: str) -> set[str]:
    """The keys (``key``, a model's idempotency-key column) of the records imported from
    the file before, read once so that each row is a lookup."""
    return set(session.exec(select(key).where(col(key).startswith(prefix))).all())


# --- members by name -------------------------------------------------------------------


@dataclass(frozen=True)
class NamedMember:
    """A member as a file names them: the name, and the birth year when written as
    ``王芳(1975)``."""

    name: str
    birth_year: int | None = None

    @property
    def written(self) -> str:
        return self.name if self.birth_year is None else f"{self.name}({self.birth_year})"


def named_members(written: str) -> list[NamedMember]:
    """The members of a cell, separated by ``、`` or ``;`` (half or full width)."""
    named: list[NamedMember] = []
    for part in _MEMBER_SEPARATORS.split(written):
        part = clean_text(part)
        if not part:
            continue
        with_year = _BIRTH_YEAR.fullmatch(part)
        if with_year:
            named.append(NamedMember(with_year.group(1),
                                     int(unicodedata.normalize("NFKC", with_year.group(2)))))
        else:
            named.append(NamedMember(part))
    return named


class MembersByName:
    """The live members of the importing user's organisations by name, read once per
    import: a file names members by name only, and every row looks them up."""

    def __init__(self, *, session: Session, actor: Actor):
        self.members: dict[str, list[Member]] = {}
        for member in session.exec(select(Member)
                                   .where(in_scope(Member.organisation_id, actor))
                                   .where(col(Member.deleted_at).is_(None))
                                   .order_by(col(Member.id))):
            self.members.setdefault(member.name, []).append(member)

    def named(self, row: RowCells, column: str) -> list[Member]:
        """The members the row's cell names, each once, in the order written; a name
        that is unknown or that several members share is a problem of the column, in
        the visit import's words whichever the import (the same rule)."""
        found: dict[int, Member] = {}
        for named in named_members(row.text(column)):
            candidates = [member for member in self.members.get(named.name, [])
                          if named.birth_year in (None, member.birth_year)]
            if len(candidates) == 1:
                found.setdefault(candidates[0].id, candidates[0])
            elif not candidates:
                row.fail(column, "visit_import.error.unknown_member",
                         name=shown(named.written))
            elif named.birth_year is None:
                row.fail(column, "visit_import.error.ambiguous_member",
                         name=shown(named.name), count=len(candidates))
            else:
                row.fail(column, "visit_import.error.namesakes",
                         name=shown(named.written), count=len(candidates))
        return list(found.values())


# --- categories by name ----------------------------------------------------------------


class ListWords:
    """One list's entries (the problem or the report categories) of each organisation by
    name (as ``word`` compares it), read once per organisation however many rows name
    it. The entries are held here so that the form's checks of each row find them in
    the session's identity map instead of reading them again."""

    def __init__(self, *, session: Session, kind: ListKind):
        self.session = session
        self.kind = kind
        self.held: list[ListEntry] = []
        self.by_organisation: dict[int, dict[str, int]] = {}  # organisation → word → id

    def of(self, organisation_id: int | None) -> dict[str, int]:
        """The organisation's entries' ids by name; none without an organisation."""
        if organisation_id is None:
            return {}
        if organisation_id not in self.by_organisation:
            listed = entries(session=self.session, organisation_id=organisation_id,
                             kind=self.kind)
            self.held += listed
            words = self.by_organisation[organisation_id] = {}
            for entry in listed:
                words.setdefault(word(entry.name), entry.id)
        return self.by_organisation[organisation_id]
