"""Who is asking, and what they may see: a worker sees only their own authority's data; a
manager also sees their team's conversations and the audit log.

Data that belongs to another authority is answered as if it did not exist (404 at the API),
so that a reference guessed or shared by mistake does not even confirm that it is in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assistant.core.authorities import UnknownAuthorityError


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    MANAGER = "manager"


class AccessDeniedError(PermissionError):
    """The caller is who they say, but their role does not allow this (403)."""


@dataclass(frozen=True)
class Principal:
    """The caller of an API route.

    `authority` is None only for the local development user and for service tokens an
    operator has issued for every authority (evaluation, monitoring).
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

    def may_see(self, authority: str) -> bool:
        return self.authority is None or self.authority == authority

    def require_authority(self, authority: str) -> None:
        """Another authority's id is answered as an unknown one, listing the caller's own."""
        if not self.may_see(authority):
            assert self.authority is not None
            raise UnknownAuthorityError(authority, (self.authority,))

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


def development_principal() -> Principal:
    """The one user of a development run on 127.0.0.1: no sign-in, every authority."""
    return Principal(subject="developer", role=Role.MANAGER, authority=None, method="development")
