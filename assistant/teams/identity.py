"""Who is talking, in the assistant's terms: one Rasa sender id per Teams user and conversation,
and the authority the user's organisation (Teams tenant) is configured for."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from microsoft_agents.activity import Activity

from assistant.core.access import Principal, Role

# The sender id is also the conversation id of /api/chat and the citation log (128 chars max).
MAX_SENDER_ID_CHARS = 128
_PLAIN = re.compile(r"^[\w.:@-]+$")


@dataclass(frozen=True)
class TeamsIdentity:
    tenant_id: str
    user_id: str  # the user's Entra object id (aadObjectId), else their Teams id
    conversation_id: str

    @property
    def sender_id(self) -> str:
        return sender_id(self.tenant_id, self.user_id, self.conversation_id)


def sender_id(tenant_id: str, user_id: str, conversation_id: str) -> str:
    """`teams:{tenant}:{aadObjectId}:{conversation id}`, or `teams:` and its SHA-256 when that
    is too long or has characters a conversation id may not (Teams conversation ids often do)."""
    readable = f"teams:{tenant_id}:{user_id}:{conversation_id}"
    if len(readable) <= MAX_SENDER_ID_CHARS and _PLAIN.match(readable):
        return readable
    return "teams:" + hashlib.sha256(readable.encode("utf-8")).hexdigest()


def teams_principal(identity: TeamsIdentity, authority: str | None) -> Principal:
    """A Teams user, signed in through the Bot Connector's token: a practitioner of the
    authority their tenant is configured for."""
    return Principal(
        subject=f"teams:{identity.tenant_id}:{identity.user_id}",
        role=Role.PRACTITIONER,
        authority=authority,
        method="teams",
    )


def identity_of(activity: Activity) -> TeamsIdentity:
    """Tenant from channelData.tenant.id (Teams) or the conversation's tenantId."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    if not tenant_id and activity.conversation is not None:
        tenant_id = activity.conversation.tenant_id
    user = activity.from_property
    user_id = (user.aad_object_id or user.id) if user is not None else None
    conversation_id = activity.conversation.id if activity.conversation is not None else ""
    return TeamsIdentity(str(tenant_id or "unknown"), str(user_id or "unknown"), conversation_id)


def authority_for(tenant_id: str, authority_by_tenant: dict[str, str]) -> str | None:
    """The authority configured for the tenant (ids compared case-insensitively), else None:
    the assistant then asks the worker which authority they work for, as on the web."""
    wanted = tenant_id.lower()
    for tenant, authority in authority_by_tenant.items():
        if tenant.lower() == wanted:
            return authority
    return None
