"""Accounts: sign-up, sign-in, sessions, email verification and password reset."""
