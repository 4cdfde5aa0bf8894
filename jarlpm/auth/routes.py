"""/api/auth: sign-up, sign-in, sessions, email verification and password reset."""

from __future__ import annotations

from quart import Blueprint, Response
from quart.blueprints import BlueprintSetupState
from quart_schema import validate_request, validate_response

from jarlpm import db
from jarlpm.auth import lockout, repo
from jarlpm.auth.emails import reset_email, verification_email
from jarlpm.auth.models import (
    AccountOut,
    CheckTokenOut,
    EmailIn,
    LoginIn,
    MeOut,
    MessageOut,
    ResetPasswordIn,
    SignupIn,
    TokenIn,
)
from jarlpm.auth.passwords import hash_password, needs_rehash, verify_password
from jarlpm.auth.rules import EMAIL_VERIFICATION, MIN_PASSWORD_LENGTH, PASSWORD_RESET, hash_token, password_too_short
from jarlpm.auth.service import issue_token, spend_token, start_session
from jarlpm.db.scope import CrossUser, Scope
from jarlpm.errors import APIError
from jarlpm.http import current_settings
from jarlpm.http.auth import (
    clear_session_cookie,
    current_caller,
    login_required,
    public,
    send_session_cookie,
    session_token,
)
from jarlpm.http.rate_limits import per_ip, per_minute, too_many_requests
from jarlpm.mail import send_later
from jarlpm.subscriptions import repo as subscriptions

blueprint = Blueprint("auth", __name__, url_prefix="/auth")

RESET_SENT = "If the email exists, a password reset link has been sent"
VERIFICATION_SENT = "If the email is registered and not yet verified, a verification link has been sent"
# Each sign-in costs a password hash; failed ones are limited far lower by jarlpm.auth.lockout.
LOGIN_REQUESTS_PER_MINUTE = 30


@blueprint.record_once
def _install_lockout(state: BlueprintSetupState) -> None:
    lockout.install(state.app)


@blueprint.errorhandler(lockout.LoginLocked)
async def _login_locked(error: lockout.LoginLocked) -> Response:
    return too_many_requests(error.retry_after, error.limit)


def _check_password_length(password: str) -> None:
    if password_too_short(password):
        raise APIError(400, "PASSWORD_TOO_SHORT", f"Password must be at least {MIN_PASSWORD_LENGTH} characters")


@blueprint.post("/signup")
@public
@per_minute(3, per_ip)
@validate_request(SignupIn)
@validate_response(AccountOut)
async def signup(data: SignupIn) -> AccountOut:
    """Create an account and sign in; a verification link is emailed."""
    _check_password_length(data.password)
    password_hash = await hash_password(data.password)
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        user = await repo.create_user(conn, email=data.email, name=data.name.strip(), password_hash=password_hash)
        if user is None:
            raise APIError(400, "EMAIL_ALREADY_REGISTERED", "Email already registered")
        await subscriptions.create_inactive(conn, user_id=user["user_id"])
        verification = await issue_token(conn, user_id=user["user_id"], token_type=EMAIL_VERIFICATION)
        token = await start_session(conn, user_id=user["user_id"])
    send_later(verification_email(user["email"], user["name"], current_settings().public_app_url, verification))
    send_session_cookie(token)
    return AccountOut(message="Account created successfully", **_account(user))


@blueprint.post("/login")
@public
@per_minute(LOGIN_REQUESTS_PER_MINUTE, per_ip)
@validate_request(LoginIn)
@validate_response(AccountOut)
async def login(data: LoginIn) -> AccountOut:
    """Sign in with email and password; other sessions of the user stay valid."""
    await lockout.charge_attempt(data.email)
    user = await _check_credentials(data.email, data.password)
    await lockout.forgive_attempt(data.email)
    # Hashing takes tens of milliseconds: done before a connection is taken, not while holding one.
    rehashed = await hash_password(data.password) if needs_rehash(user["password_hash"]) else None
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        if rehashed is not None:
            await repo.set_password_hash(conn, user_id=user["user_id"], password_hash=rehashed)
        token = await start_session(conn, user_id=user["user_id"])
    send_session_cookie(token)
    return AccountOut(message="Login successful", **_account(user))


async def _check_credentials(email: str, password: str) -> dict:
    """The account, or 401; an unknown email runs the verifier too, so timing does not tell it apart."""
    async with db.connection(CrossUser.ACCOUNTS) as conn:
        user = await repo.get_credentials(conn, email=email)
    verified = await verify_password(user["password_hash"] if user else None, password)
    if user is None or not verified:
        raise APIError(401, "INVALID_CREDENTIALS", "Invalid email or password")
    return user


def _account(user: dict) -> dict:
    return {"user_id": user["user_id"], "email": user["email"], "name": user["name"]}


@blueprint.get("/me")
@login_required
@validate_response(MeOut)
async def me() -> MeOut:
    """The signed-in user."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        user = await repo.get_user(conn, user_id=caller.id)
    if user is None:  # the account was deleted while the request was on its way
        raise APIError(401, "INVALID_SESSION", "Invalid session")
    return MeOut(**user)


@blueprint.post("/logout")
@public
@validate_response(MessageOut)
async def logout() -> MessageOut:
    """End the current session (cookie or bearer) and clear the cookie; other sessions stay."""
    token = session_token()
    if token:
        token_hash = hash_token(token)
        async with db.connection(Scope(session_hash=token_hash)) as conn:  # the session it names, nothing else
            await repo.delete_session(conn, token_hash=token_hash)
    clear_session_cookie()
    return MessageOut(message="Logged out successfully")


@blueprint.post("/verify-email")
@public
@validate_request(TokenIn)
@validate_response(MessageOut)
async def verify_email(data: TokenIn) -> MessageOut:
    """Confirm the email address with the emailed token (single use, 24 h)."""
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        user_id = await spend_token(conn, token=data.token, token_type=EMAIL_VERIFICATION)
        await repo.mark_email_verified(conn, user_id=user_id)
    return MessageOut(message="Email verified successfully")


@blueprint.post("/resend-verification")
@public
@per_minute(3, per_ip)
@validate_request(EmailIn)
@validate_response(MessageOut)
async def resend_verification(data: EmailIn) -> MessageOut:
    """Email a new verification link; the answer never reveals whether the email is registered."""
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        user = await repo.get_credentials(conn, email=data.email)
        if user is None or user["email_verified"]:
            return MessageOut(message=VERIFICATION_SENT)
        token = await issue_token(conn, user_id=user["user_id"], token_type=EMAIL_VERIFICATION)
    send_later(verification_email(user["email"], user["name"], current_settings().public_app_url, token))
    return MessageOut(message=VERIFICATION_SENT)


@blueprint.post("/forgot-password")
@public
@per_minute(3, per_ip)
@validate_request(EmailIn)
@validate_response(MessageOut)
async def forgot_password(data: EmailIn) -> MessageOut:
    """Email a password-reset link (1 h); the answer never reveals whether the email is registered."""
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        user = await repo.get_credentials(conn, email=data.email)
        if user is None:
            return MessageOut(message=RESET_SENT)
        token = await issue_token(conn, user_id=user["user_id"], token_type=PASSWORD_RESET)
    send_later(reset_email(user["email"], user["name"], current_settings().public_app_url, token))
    return MessageOut(message=RESET_SENT)


@blueprint.post("/reset-password")
@public
@validate_request(ResetPasswordIn)
@validate_response(MessageOut)
async def reset_password(data: ResetPasswordIn) -> MessageOut:
    """Set a new password with the emailed token; every session of the user ends."""
    _check_password_length(data.new_password)
    password_hash = await hash_password(data.new_password)
    async with db.transaction(CrossUser.ACCOUNTS) as conn:
        user_id = await spend_token(conn, token=data.token, token_type=PASSWORD_RESET)
        await repo.set_password_hash(conn, user_id=user_id, password_hash=password_hash)
        await repo.mark_email_verified(conn, user_id=user_id)  # the reset link proved the address
        await repo.delete_user_sessions(conn, user_id=user_id)
    return MessageOut(message="Password reset successfully. Please login with your new password.")


@blueprint.get("/check-token/<token>")
@public
@validate_response(CheckTokenOut)
async def check_token(token: str) -> CheckTokenOut:
    """Whether an emailed token can still be used, and for what."""
    async with db.connection(CrossUser.ACCOUNTS) as conn:
        found = await repo.get_token(conn, token_hash=hash_token(token))
    if found is None:
        return CheckTokenOut(valid=False, reason="Token not found")
    if found["used"]:
        return CheckTokenOut(valid=False, reason="Token already used")
    if found["expired"]:
        return CheckTokenOut(valid=False, reason="Token expired")
    return CheckTokenOut(valid=True, token_type=found["token_type"], expires_at=found["expires_at"])
