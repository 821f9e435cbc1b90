"""Customers: register, read, list, replace and delete (erasing personal data)."""
