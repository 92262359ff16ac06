"""The one registry of screens: a row per screen names its key, its file under pages/,
its icon, its title's message key and who may open it. ``app.py`` builds the navigation
from it and ``services.permissions`` answers "may this actor open that screen" from it,
so adding a screen is one row here (and its title in the catalogs).

Plain data, no streamlit: tests and services read it too.
"""

from dataclasses import dataclass
from enum import StrEnum

from models import Role

EVERYONE = frozenset(Role)
ADMINS = frozenset({Role.ADMIN})
OFFICE_STAFF = frozenset({Role.ADMIN, Role.STAFF})
OFFICE = frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})  # everyone but members


@dataclass(frozen=True)
class Screen:
    key: str
    file: str
    icon: str
    title_key: str
    roles: frozenset[Role]
    section: str = "nav.section.work"  # the heading it is listed under
    default: bool = False  # the screen a signed-in user lands on
    # The only screen offered while the user must replace a first or reset password.
    while_password_must_change: bool = False


SCREENS: tuple[Screen, ...] = (
    Screen("home", "pages/home.py", ":material/home:", "nav.home", EVERYONE, default=True,
           section="nav.section.overview"),
    Screen("overview", "pages/overview.py", ":material/dashboard:", "nav.overview", OFFICE,
           section="nav.section.overview"),
    Screen("compliance", "pages/compliance.py", ":material/rule:", "nav.compliance", OFFICE,
           section="nav.section.overview"),
    Screen("station_activity", "pages/station_activity.py", ":material/monitoring:",
           "nav.station_activity", OFFICE, section="nav.section.overview"),
    Screen("opinion_pipeline", "pages/opinion_pipeline.py", ":material/filter_alt:",
           "nav.opinion_pipeline", OFFICE, section="nav.section.overview"),
    Screen("meeting", "pages/meeting.py", ":material/co_present:", "nav.meeting", OFFICE,
           section="nav.section.overview"),
    Screen("visit_entry", "pages/visit_entry.py", ":material/edit_note:", "nav.visit_entry",
           frozenset({Role.ADMIN, Role.STAFF, Role.MEMBER}),
           section="nav.section.entry"),
    Screen("visits", "pages/visits.py", ":material/event_note:", "nav.visits", EVERYONE),
    Screen("campaigns", "pages/campaigns.py", ":material/flag:", "nav.campaigns", OFFICE),
    Screen("problems", "pages/problems.py", ":material/assignment_late:", "nav.problems",
           frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})),
    Screen("report_entry", "pages/report_entry.py", ":material/campaign:",
           "nav.report_entry", frozenset({Role.ADMIN, Role.STAFF, Role.MEMBER}),
           section="nav.section.entry"),
    Screen("reports", "pages/reports.py", ":material/fact_check:", "nav.reports",
           frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})),
    Screen("my_reports", "pages/my_reports.py", ":material/inbox:", "nav.my_reports",
           frozenset({Role.MEMBER})),
    Screen("activity_entry", "pages/activity_entry.py", ":material/volunteer_activism:",
           "nav.activity_entry", frozenset({Role.ADMIN, Role.STAFF, Role.MEMBER}),
           section="nav.section.entry"),
    Screen("workstations", "pages/workstations.py", ":material/storefront:",
           "nav.workstations", frozenset({Role.ADMIN, Role.LEADER, Role.STAFF}),
           section="nav.section.directory"),
    Screen("topics", "pages/topics.py", ":material/forum:", "nav.topics",
           frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})),
    Screen("proposals", "pages/proposals.py", ":material/description:", "nav.proposals",
           frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})),
    Screen("members", "pages/members.py", ":material/groups:", "nav.members", EVERYONE,
           section="nav.section.directory"),
    Screen("roster_import", "pages/roster_import.py", ":material/upload_file:",
           "nav.roster_import", OFFICE_STAFF,
           section="nav.section.directory"),
    Screen("account", "pages/account.py", ":material/manage_accounts:", "nav.account",
           EVERYONE, while_password_must_change=True,
           section="nav.section.admin"),
    Screen("organisations", "pages/organisations.py", ":material/account_tree:",
           "nav.organisations", ADMINS,
           section="nav.section.admin"),
    Screen("users", "pages/users.py", ":material/admin_panel_settings:", "nav.users", ADMINS,
           section="nav.section.admin"),
    Screen("audit", "pages/audit.py", ":material/history:", "nav.audit", ADMINS,
           section="nav.section.admin"),
)

# The screens' keys as an enum, for code that names one screen (tests, permission checks).
Page = StrEnum("Page", {screen.key.upper(): screen.key for screen in SCREENS})
