"""Outgoing mail: SMTP, or the log with EMAIL_BACKEND=console (development and test only).

Mail goes out in a background task after the response: a slow or failing server never delays or
fails the request that caused it; a failure is logged (without the message body).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from quart import current_app

from jarlpm.config import Settings
from jarlpm.http import current_settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


def _build(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from or "JarlPM <no-reply@localhost>"
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    return message


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


async def deliver(settings: Settings, mail: Mail) -> None:
    """Send now; never raises."""
    if settings.email_backend == "console":
        # Development only (refused in production): the link has to be readable somewhere.
        log.info("email (console backend)", extra={"to": mail.to, "subject": mail.subject, "body": mail.text})
        return
    try:
        await asyncio.to_thread(_send_smtp, settings, _build(settings, mail))
    except (OSError, smtplib.SMTPException) as error:
        log.error("email to %s not sent: %s", mail.to, type(error).__name__)
    else:
        log.info("email sent", extra={"to": mail.to, "subject": mail.subject})


def send_later(mail: Mail) -> None:
    """Queue the mail to go out after the response (inside a request or app context)."""
    current_app.add_background_task(deliver, current_settings(), mail)
