from pydantic import BaseModel


class RootOut(BaseModel):
    message: str
    status: str


class HealthOut(BaseModel):
    status: str
    service: str


class ReadyOut(BaseModel):
    status: str
    revision: str
