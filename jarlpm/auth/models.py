"""Request and response bodies of /api/auth, with the contract's keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

# Generous bounds that stop abuse (argon2 hashes whatever it is given) without shaping real input.
Password = Field(max_length=1024)
Token = Field(min_length=1, max_length=256)


class SignupIn(BaseModel):
    email: EmailStr = Field(max_length=255)
    password: str = Password
    name: str = Field(min_length=1, max_length=255, pattern=r"\S")


class LoginIn(BaseModel):
    email: EmailStr = Field(max_length=255)
    password: str = Password


class EmailIn(BaseModel):
    email: EmailStr = Field(max_length=255)


class TokenIn(BaseModel):
    token: str = Token


class ResetPasswordIn(BaseModel):
    token: str = Token
    new_password: str = Password


class AccountOut(BaseModel):
    message: str
    user_id: str
    email: str
    name: str


class MeOut(BaseModel):
    user_id: str
    email: str
    name: str
    picture: str | None
    email_verified: bool


class MessageOut(BaseModel):
    message: str


class CheckTokenOut(BaseModel):
    valid: bool
    reason: str | None = None
    token_type: str | None = None
    expires_at: datetime | None = None


class TestLoginOut(BaseModel):
    message: str
    user_id: str
    email: str
    name: str
    subscription_status: str
    delivery_context: str
    llm_provider: str
