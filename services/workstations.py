"""Studios and stations (委员工作室/站): the registry, the members stationed there, and
whether a station is alive.

A station is *idle* when it has had no activity for the idle days (a setting, default
90), whatever its open/closed flag says (``../shared/domain.md``, Decisions).
"""

# The activity types an office starts with (migration 0011 seeds them; each office
# edits its list): key → name.
DEFAULT_ACTIVITY_TYPES = {
    "policy_briefing": "政策宣讲", "legal_consultation": "法律咨询",
    "free_clinic": "义诊/送医下乡", "agri_science_help": "科技助农", "training": "培训",
    "reception_day": "接待日", "micro_consultation": "微协商/议事", "visiting": "走访慰问",
    "other": "其他",
}
