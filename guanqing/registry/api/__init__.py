"""The registry under /api/v1/: divisions, units, party organisations, members, households."""
