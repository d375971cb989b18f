"""The REST API at /api/v1/: one NinjaAPI, one router per app, one error format.

Every failure answers ``{"error": {"code", "message", "fields"}}`` with a 4xx
status: ``code`` is stable for machines, ``message`` is in the request's
language (Accept-Language; Chinese by default), ``fields`` maps a field name
to its messages.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from shequ.core.errors import DomainError
from shequ.core.services.tokens import token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            from shequ.core import context

            context.current().user = user
        return user


def _docs_access(view):
    """The interactive docs and schema are open in development; in production
    they need a login (SECURITY.md row 34)."""
    return view if settings.DEBUG else login_required(view)


def _nul_paths(value, path=()):
    """Where ``value`` holds a string with a NUL character (PostgreSQL cannot store one)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            p
            for key, item in value.items()
            for p in _nul_paths(item, (*path, key)) + _nul_paths(key, path)
        ]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _nul_paths(item, (*path, index))]
    return []


class NoNulParser(Parser):
    """JSON bodies and query strings with a NUL character are bad input (400),
    not a database error (500) on PostgreSQL."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _nul_paths(data):
            raise ValueError("NUL character in request body")  # answered as malformed_json
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        bad = _nul_paths(result)
        if bad:
            raise ValidationError([{"loc": ("query", *p), "type": "string_nul"} for p in bad])
        return result


api = NinjaAPI(
    parser=NoNulParser(),
    docs_decorator=_docs_access,
    title="Shequ API",
    version="1",
    description="社区基层治理平台接口 · Shequ community governance API",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def error(request, status: int, code: str, message, fields: dict | None = None):
    return api.create_response(
        request,
        {"error": {"code": code, "message": str(message), "fields": fields or {}}},
        status=status,
    )


def _field_errors(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for item in errors:
        loc = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "query", "path", "payload")
        ]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(_translate_pydantic(item))
    return fields


def _translate_pydantic(item: dict) -> str:
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return _("此项为必填项。")
    if kind == "string_too_long":
        return _("最多 %(n)s 个字符。") % {"n": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("至少 %(n)s 个字符。") % {"n": ctx.get("min_length", "")}
    if kind.startswith("int") or kind.startswith("float"):
        return _("请输入数字。")
    if kind.startswith("less_than") or kind.startswith("greater_than"):
        return _("数值超出允许范围。")
    if kind.startswith("string"):
        return _("请输入文本。")
    if kind.startswith("bool"):
        return _("请输入 true 或 false。")
    if kind.startswith("json"):
        return _("JSON 格式不正确。")
    return _("数据格式不正确。")


@api.exception_handler(ValidationError)
def on_validation(request, exc: ValidationError):
    return error(
        request, 400, "invalid", _("提交的数据有误，请检查后重试。"), _field_errors(exc.errors)
    )


@api.exception_handler(DomainError)
def on_domain(request, exc: DomainError):
    fields = {exc.field: [str(exc.message)]} if exc.field else {}
    return error(request, exc.status, exc.code, exc.message, fields)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("未找到该对象。"))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", _("请先登录或提供有效的访问令牌。"))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", _("您没有执行此操作的权限。"))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error(request, 413, "too_large", _("提交的内容过大。"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }
    if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        return error(request, 400, "malformed_json", _("请求内容不是有效的 JSON。"))
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), exc.message)


from shequ.core.api import router as core_router  # noqa: E402

api.add_router("/", core_router)

from shequ.registry.api import router as registry_router  # noqa: E402

api.add_router("/registry/", registry_router)

from shequ.workorders.api import router as workorders_router  # noqa: E402

api.add_router("/workorders/", workorders_router)

from shequ.volunteers.api import router as volunteers_router  # noqa: E402

api.add_router("/volunteers/", volunteers_router)

from shequ.field.api import router as field_router  # noqa: E402

api.add_router("/field/", field_router)

from shequ.dashboard.api import router as dashboard_router  # noqa: E402

api.add_router("/dashboard/", dashboard_router)
