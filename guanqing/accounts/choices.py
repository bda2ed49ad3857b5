from guanqing.core.roles import Role

# What scope each role needs when its account is created.
REQUIRED_SCOPE = {
    Role.UNIT_ADMIN: "unit",
    Role.COMMUNITY_WORKER: "community",
    Role.MEMBER: "member",
}

# What scope each role may carry; anything else is cleared when the role is set or changed, so a
# former unit administrator turned fund officer keeps no trace of its old unit.
ALLOWED_SCOPE = {
    Role.COMMITTEE: set(),
    Role.UNIT_ADMIN: {"unit"},
    Role.MEMBER: {"member", "unit"},
    Role.COMMUNITY_WORKER: {"community"},
    Role.WINDOW_CLERK: {"unit", "member"},
    Role.FUND_OFFICER: {"unit"},
    Role.SYSTEM_ADMIN: set(),
    Role.SECURITY_ADMIN: set(),
    Role.AUDIT_ADMIN: set(),
}
