"""Notifications: messages for one user from any domain (a finding published, a sheet shown, an appeal decided, a bad review)."""
