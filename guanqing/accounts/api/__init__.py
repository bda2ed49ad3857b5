"""Accounts under /api/v1/: users, the security policy, tokens and the current user."""
