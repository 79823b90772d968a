"""The people of the tenancy tests, and the engine message metadata the web app sends for them
(assistant/web/conversation.py): actions read who is asking from it."""

from __future__ import annotations

from typing import Any

from assistant.core.access import PRINCIPAL_KEY, Principal, Role
from assistant.web.auth import oidc_subject

# The issuer of tests/test_sign_in.py's tokens: signed-in subjects are namespaced by it.
ISSUER = "https://login.example.gov.uk/"


def _oidc(sub: str, role: Role, authority: str) -> Principal:
    return Principal(oidc_subject(ISSUER, sub), role, authority, "oidc")


KIM = _oidc("kim", Role.PRACTITIONER, "kent")  # Kent practitioner
KATE = _oidc("kate", Role.PRACTITIONER, "kent")  # Kent practitioner
KEN = _oidc("ken", Role.MANAGER, "kent")  # Kent manager
LEO = _oidc("leo", Role.PRACTITIONER, "lewisham")  # Lewisham practitioner
LENA = _oidc("lena", Role.MANAGER, "lewisham")  # Lewisham manager
# Kim in Teams: another subject, the same authority (from her tenant).
KIM_IN_TEAMS = Principal("teams:kent-tenant:kim", Role.PRACTITIONER, "kent", "teams")
# A Teams user whose tenant is mapped to no authority: says which in conversation.
UNMAPPED_TEAMS = Principal("teams:other-tenant:una", Role.PRACTITIONER, None, "teams")


def turn_metadata(principal: Principal | None, **more: Any) -> dict[str, Any]:
    """What the web app sends with a message from `principal` (None: nobody, as when the
    engine is used directly)."""
    metadata = dict(more)
    if principal is not None:
        metadata[PRINCIPAL_KEY] = principal.to_metadata()
    return metadata
