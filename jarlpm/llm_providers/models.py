"""Request and response bodies of /api/llm-providers, with the contract's keys. No response carries a key."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from jarlpm.llm_providers.tables import ProviderName

Provider = ProviderName


class ProviderIn(BaseModel):
    provider: Provider
    api_key: str | None = Field(default=None, max_length=1000)
    base_url: str | None = Field(default=None, max_length=500)
    model_name: str | None = Field(default=None, max_length=100)


class ConfigOut(BaseModel):
    config_id: str
    provider: str
    base_url: str | None
    model_name: str | None
    is_active: bool
    created_at: datetime


class ValidOut(BaseModel):
    valid: bool


class MessageOut(BaseModel):
    message: str
