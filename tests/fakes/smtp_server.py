"""A real SMTP server on a loopback port (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


class FakeSMTPServer:
    def __init__(self) -> None:
        self.inbox = _Inbox()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.inbox.messages)

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    async def wait_for(self, address: str, *, count: int = 1, within: float = 10.0) -> list[EmailMessage]:
        """The messages to `address` once there are `count` of them (mail goes out after the response)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.messages_to(address)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {count} message(s) to {address} within {within} s")


def link_in(message: EmailMessage) -> str:
    """The first http(s) link in a message's text."""
    body = message.get_content()
    match = re.search(r"https?://\S+", body)
    assert match, f"no link in {body!r}"
    return match.group(0)
