"""The people of the tenancy tests, and the engine message metadata the web app sends for them
(assistant/web/conversation.py): actions read who is asking from it."""

from __future__ import annotations

from typing import Any

from assistant.core.access import PRINCIPAL_KEY, Principal, Role

KIM = Principal("kim", Role.PRACTITIONER, "kent", "oidc")  # Kent practitioner
KATE = Principal("kate", Role.PRACTITIONER, "kent", "oidc")  # Kent practitioner
KEN = Principal("ken", Role.MANAGER, "kent", "oidc")  # Kent manager
LEO = Principal("leo", Role.PRACTITIONER, "lewisham", "oidc")  # Lewisham practitioner
LENA = Principal("lena", Role.MANAGER, "lewisham", "oidc")  # Lewisham manager
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
