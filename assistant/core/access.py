"""Who is asking, and what they may see: a worker sees only their own authority's data; a
manager also sees their team's conversations and the audit log.

Data that belongs to another authority is answered as if it did not exist (404 at the API),
so that a reference guessed or shared by mistake does not even confirm that it is in use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assistant.core.authorities import UnknownAuthorityError


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    MANAGER = "manager"


class AccessDeniedError(PermissionError):
    """The caller is who they say, but their role does not allow this (403)."""


# Ways of proving who one is after which no authority means every authority: the local
# development user and a service token an operator issued for all of them. Anyone else without
# an authority (a Teams user whose tenant is mapped to none) sees no one else's data.
EVERY_AUTHORITY_METHODS = frozenset({"development", "api_token"})
# The key of the engine message metadata that carries the principal (web app -> actions).
PRINCIPAL_KEY = "principal"


@dataclass(frozen=True)
class Principal:
    """The caller of an API route.

    `authority` is None for the local development user and for service tokens an operator has
    issued for every authority (evaluation, monitoring), who see every authority; and for a
    Teams user whose tenant is mapped to no authority, who sees only their own work.
    """

    subject: str
    role: Role
    authority: str | None
    # How they proved it: "oidc", "api_token", or "development" (loopback only, no sign-in).
    method: str

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER

    @property
    def signed_in(self) -> bool:
        return self.method != "development"

    @property
    def sees_every_authority(self) -> bool:
        return self.authority is None and self.method in EVERY_AUTHORITY_METHODS

    def may_see(self, authority: str) -> bool:
        """Everyone's data of the authority (as the role allows), not only one's own."""
        return self.sees_every_authority or self.authority == authority

    def may_work_in(self, authority: str) -> bool:
        """Start and keep one's own work there: one's own authority, or any for a caller who has
        none (a Teams user whose tenant is not mapped says which authority in conversation)."""
        return self.authority is None or self.authority == authority

    def require_authority(self, authority: str) -> None:
        """Another authority's id is answered as an unknown one, listing the caller's own."""
        if not self.may_see(authority):
            raise UnknownAuthorityError(authority, (self.authority,) if self.authority else ())

    def require_work_in(self, authority: str) -> None:
        if not self.may_work_in(authority):
            raise UnknownAuthorityError(authority, (self.authority,) if self.authority else ())

    def owns(self, owner_subject: str) -> bool:
        return owner_subject == self.subject

    def may_read_conversation(self, owner_subject: str, owner_authority: str | None) -> bool:
        """The worker whose conversation it is, or a manager of the same authority."""
        if self.owns(owner_subject):
            return True
        same_authority = owner_authority is not None and self.may_see(owner_authority)
        return self.is_manager and same_authority

    def require_manager(self, what: str) -> None:
        if not self.is_manager:
            raise AccessDeniedError(f"Only a manager can {what}.")

    def to_metadata(self) -> dict[str, str | None]:
        """For the engine's message metadata: set by the web app from the signed-in request,
        so that the actions apply the same rules as the API (never taken from message text)."""
        return {
            "subject": self.subject,
            "role": self.role.value,
            "authority": self.authority,
            "method": self.method,
        }


def principal_from_metadata(metadata: Mapping[str, Any]) -> Principal | None:
    """The principal the web app put in a message's metadata; None when there is none or it is
    malformed (a turn that did not come through the web app or Teams is nobody)."""
    found = metadata.get(PRINCIPAL_KEY)
    if not isinstance(found, Mapping):
        return None
    subject, role, authority, method = (
        found.get(k) for k in ("subject", "role", "authority", "method")
    )
    if not isinstance(subject, str) or not subject or not isinstance(method, str) or not method:
        return None
    if not isinstance(role, str) or role not in {r.value for r in Role}:
        return None
    if authority is not None and not (isinstance(authority, str) and authority):
        return None
    return Principal(subject, Role(role), authority, method)


def development_principal() -> Principal:
    """The one user of a development run on 127.0.0.1: no sign-in, every authority."""
    return Principal(subject="developer", role=Role.MANAGER, authority=None, method="development")
