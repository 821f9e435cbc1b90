"""Accounts: users, roles, API keys and the credentials that prove them."""
