from __future__ import annotations

import json

from assistant.core.authorities import AuthorityDirectory
from assistant.core.authority_choice import choose_authority, choose_authority_payload


def test_naming_an_authority_chooses_it_and_cites_its_version(
    authorities: AuthorityDirectory,
) -> None:
    choice = choose_authority(authorities, "Kent County Council", current=None)
    assert choice.chosen is not None and choice.chosen.id == "kent"
    assert choice.reply.authority == "kent"
    assert "refreshed July 2024" in choice.reply.text
    assert choice.reply.buttons == ()


def test_an_unknown_name_is_said_back_and_the_choices_offered(
    authorities: AuthorityDirectory,
) -> None:
    choice = choose_authority(authorities, "Birmingham", current="kent")
    assert choice.chosen is None
    assert '"Birmingham"' in choice.reply.text
    assert "currently working to the procedure of Kent County Council" in choice.reply.text
    assert [b.title for b in choice.reply.buttons] == [
        "Gateshead",
        "Blackpool",
        "Kent",
        "Lewisham",
        "Regional partnership",
    ]


def test_button_payloads_pick_the_authority_without_nlu(authorities: AuthorityDirectory) -> None:
    choice = choose_authority(authorities, None, current=None)
    payload = choice.reply.buttons[3].payload
    assert payload == choose_authority_payload("lewisham")
    intent, entities = payload[1:].split("{", 1)
    assert intent == "choose_authority"
    assert json.loads("{" + entities) == {"authority": "lewisham"}
