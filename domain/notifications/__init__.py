"""Notifications: what a user is told, in the app, in real time and (warnings, errors) by mail."""
