"""The notifications module's HTTP edge: ``router`` (the list and read routes, and the
``/notifications/ws`` socket)."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.notifications.controller import NotificationsController
from entrypoints.http.notifications.socket import notifications_socket

router = Router(path="/", route_handlers=[NotificationsController, notifications_socket])

__all__ = ["router"]
