"""Storefront orders: placing, reading, listing, editing and cancelling, with stock reservations."""
