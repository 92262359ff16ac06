"""Errors a service raises for a person to read; pages show ``message_key`` translated
(the family is ``core.errors.LiaisonError``)."""

from core.errors import LiaisonError


class ServiceError(LiaisonError):
    """Base of the expected failures of one action (bad input, permission, conflicts)."""


class PermissionDenied(ServiceError):
    message_key = "error.permission_denied"


class ValidationFailed(ServiceError):
    """Bad input; ``field_errors`` maps a field name to a message key."""

    message_key = "error.validation"

    def __init__(self, field_errors: dict[str, str]):
        super().__init__()
        self.field_errors = field_errors


class StaleRecord(ServiceError):
    """Someone else saved the record after it was read."""

    message_key = "error.stale_record"


class StoreNotEmpty(ServiceError):
    message_key = "demo.error.not_empty"
