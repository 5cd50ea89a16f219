"""Typed API errors: each carries its HTTP status, Kazoo's message and data."""


class ApiError(Exception):
    """Base of every error the API answers with Kazoo's error envelope."""

    status = 500
    message = "unspecified_fault"

    def __init__(self, data=None, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message
        self.data = {"message": self.message.replace("_", " ")} if data is None else data


class ValidationFailed(ApiError):
    """400 with per-field reasons keyed by dotted path, then validator."""

    status = 400
    message = "validation error"

    def __init__(self, fields: dict):
        super().__init__(fields)


def field_error(path: str, validator: str, message: str, **detail) -> ValidationFailed:
    """A validation error for one field."""
    return ValidationFailed({path: {validator: {"message": message, **detail}}})


class BadRequest(ApiError):
    status = 400
    message = "bad_request"


class InvalidCredentials(ApiError):
    status = 401
    message = "invalid_credentials"


class AliasUnauthorized(ApiError):
    """401 for /v2/account/... without a valid token (docs/kazoo-compatibility.md §4.4)."""

    status = 401
    message = "invalid credentials"

    def __init__(self):
        super().__init__({})


class Forbidden(ApiError):
    status = 403
    message = "forbidden"


class BadIdentifier(ApiError):
    """404 for a document that does not exist (or is deleted)."""

    status = 404
    message = "bad_identifier"

    def __init__(self, ident: str):
        super().__init__({"cause": ident, "message": "bad identifier"})


class BadAccountId(ApiError):
    """404 for an account id in the path that is not 32 characters."""

    status = 404
    message = "bad identifier"

    def __init__(self, ident: str):
        text = f"invalid account_id '{ident}'" if ident else "missing account_id"
        super().__init__({"message": text})


class UnknownIdentifier(ApiError):
    """404 whose data is a list of the identifiers (Kazoo's registrations flush, api_auth)."""

    status = 404
    message = "bad identifier"

    def __init__(self, ident: str):
        super().__init__([ident])


class MissingToken(ApiError):
    """404 from tokeninfo without a token (Kazoo's wording)."""

    status = 404

    def __init__(self, where: str):
        super().__init__({"message": f"missing token in {where}"}, message=f"missing token in {where}")


class RouteNotFound(ApiError):
    status = 404
    message = "not_found"


class MethodNotAllowed(ApiError):
    status = 405
    message = "invalid_method"

    def __init__(self):
        super().__init__({"message": "method not allowed"})


class UnsupportedMediaType(ApiError):
    """415 for a body that is not JSON (cowboy sends it bodiless; the envelope tells the client why)."""

    status = 415
    message = "unsupported_media_type"

    def __init__(self):
        super().__init__({"message": "the request body must be JSON (application/json)"})


class Conflict(ApiError):
    status = 409
    message = "datastore_conflict"

    def __init__(self):
        super().__init__({"message": "conflicting documents"})


class TooManyRequests(ApiError):
    status = 429
    message = "too_many_requests"


class ServiceUnavailable(ApiError):
    status = 503
    message = "datastore_unreachable"
