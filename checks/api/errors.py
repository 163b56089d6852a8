"""One error shape for every API failure, DRF's own included (interfaces.md, "REST API"):
`{"error": "...", "where": "<field path or null>"}`, plus `errors: [{object, field, message}]`
when several objects are refused and `changes: [...]` on a stale If-Match (412)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from services.revisions import PreconditionFailed


class ApiError(exceptions.APIException):
    """An answer with our error body: status, message, where, and extra keys (errors, changes)."""

    def __init__(self, status_code: int, error: str, where: str | None = None, **extra: Any):
        super().__init__(error)
        self.status_code = status_code
        self.body = {"error": error, "where": where, **extra}


class PayloadTooLarge(ApiError):
    def __init__(self, limit: int):
        super().__init__(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                         f"the request body is over the limit of {limit} bytes (KUBENET_MAX_INPUT_BYTES)", "body")


def refused(diagnostics: list[Any], status_code: int = 400) -> ApiError:
    """Objects the API server would refuse: the first as error/where, all in `errors`."""
    errors = [{"object": d.object, "field": d.field or None, "message": d.message} for d in diagnostics]
    first = errors[0]
    text = f"{first['object']}: {first['field']}: {first['message']}" if first["field"] else \
        f"{first['object']}: {first['message']}"
    return ApiError(status_code, text, first["field"], errors=errors)


def _flatten(detail: Any, prefix: str = "") -> list[tuple[str | None, str]]:
    """DRF error details -> (field path, message) pairs."""
    if isinstance(detail, dict):
        out: list[tuple[str | None, str]] = []
        for key, value in detail.items():
            key = str(key)
            path = prefix if key in ("non_field_errors", "detail") else (f"{prefix}.{key}" if prefix else key)
            out += _flatten(value, path)
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            out += _flatten(value, f"{prefix}[{i}]" if nested else prefix)
        return out
    return [(prefix or None, str(detail))]


def body_of(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, ApiError):
        return exc.body
    pairs = _flatten(exc.detail)
    where, message = pairs[0] if pairs else (None, str(exc))
    body: dict[str, Any] = {"error": f"{where}: {message}" if where else message, "where": where}
    if len(pairs) > 1:
        body["errors"] = [{"object": None, "field": w, "message": m} for w, m in pairs]
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PreconditionFailed):
        exc = ApiError(412, f"If-Match does not match: the current ETag is \"{exc.current}\"; the changes since "
                            "are listed in `changes`", "If-Match", changes=exc.changes)
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            detail = exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "not found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate, Retry-After, Allow
    if response is None:
        return None
    response.data = body_of(exc)
    return response
