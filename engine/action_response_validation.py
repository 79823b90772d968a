"""Validate action-server responses against a schema compiled once, not on every turn.

Rasa 3.6 checks each action-server response with `jsonschema.validate`, which first checks
the schema itself against its metaschema. With jsonschema 4.17 (the newest Rasa 3.6 allows)
that metaschema check is most of the cost of a custom-action turn: about 60 of 100 ms on a
2-core machine. Validating a response with jsonschema's interpreter still cost several ms per
action, so it is checked by code fastjsonschema generates from the same schema; only a
response that fails is checked again by jsonschema, to raise the error Rasa raises.
"""

from __future__ import annotations

from typing import Any

_installed = False


def install_compiled_validator() -> None:
    """Replace `RemoteAction._validate_action_result` with one using a compiled validator."""
    global _installed
    if _installed:
        return
    import fastjsonschema
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    fast_check = fastjsonschema.compile(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            fast_check(result)
            return True
        except fastjsonschema.JsonSchemaException:
            pass
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                f"the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _installed = True
