"""The account emails (plain text): what they say and where their links point."""

from __future__ import annotations

from jarlpm.auth.rules import link
from jarlpm.mail import Mail


def verification_email(to: str, name: str, public_app_url: str, token: str) -> Mail:
    url = link(public_app_url, "verify-email", token)
    return Mail(
        to=to,
        subject="Verify your JarlPM email address",
        text=(
            f"Hello {name},\n\nPlease confirm your email address for JarlPM by opening this link:\n\n{url}\n\n"
            "The link works once and expires in 24 hours. If you did not sign up, ignore this message.\n"
        ),
    )


def reset_email(to: str, name: str, public_app_url: str, token: str) -> Mail:
    url = link(public_app_url, "reset-password", token)
    return Mail(
        to=to,
        subject="Reset your JarlPM password",
        text=(
            f"Hello {name},\n\nSomeone (hopefully you) asked to reset your JarlPM password. Open this link to "
            f"choose a new one:\n\n{url}\n\nThe link works once and expires in 1 hour. "
            "If you did not ask for it, ignore this message: your password stays as it is.\n"
        ),
    )
