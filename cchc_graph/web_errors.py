"""web_errors: the one way an error leaves the web app: CchcError (and anything else) -> a
response with the error's HTTP status, as an escaped HTML page for browsers and as plain text for
every other client, with Retry-After where waiting helps. A 500 is only ever our bug: its
details go to the log, never to the client."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cchc_graph.errors import BadRequestError, CchcError, NotFoundError, PayloadTooLargeError
from cchc_graph.serve import prefers_page
from cchc_graph.site import Page, lang_of

LOG = logging.getLogger("cchc_graph.web")
HEADINGS = {
    400: ("yêu cầu không hợp lệ", "bad request"),
    403: ("không được phép", "forbidden"),
    404: ("không tìm thấy", "not found"),
    405: ("phương thức không được hỗ trợ", "method not allowed"),
    406: ("không có định dạng phù hợp", "not acceptable"),
    413: ("yêu cầu quá lớn", "request too large"),
    415: ("định dạng không được hỗ trợ", "unsupported media type"),
    429: ("quá nhiều yêu cầu cùng lúc", "too many requests"),
    500: ("lỗi của máy chủ", "server error"),
    502: ("kho dữ liệu không trả lời", "the store did not answer"),
    503: ("máy chủ đang bận", "service unavailable"),
}
# renders the error page (status, message, retry-after, request) -> HTML, or None before start
PageRenderer = Callable[[int, str, int | None, Request], str | None]


def wants_html(request: Request) -> bool:
    return prefers_page(request.headers.get("accept"))


def as_cchc_error(error: Exception) -> CchcError:
    """Any exception as the CchcError it stands for; an unexpected one is logged as our bug."""
    if isinstance(error, CchcError):
        return error
    if isinstance(error, HTTPException):
        kind: type[CchcError] = NotFoundError if error.status_code == 404 else BadRequestError
        converted = kind(str(error.detail))
        converted.http_status = error.status_code
        return converted
    if isinstance(error, RequestValidationError):
        return BadRequestError(f"malformed request: {error.errors()}")
    LOG.error("unexpected error", exc_info=error)
    return CchcError("an internal error; it has been logged")


def error_response(request: Request, error: Exception, render: PageRenderer) -> Response:
    """The response for `error`, in the form the client reads."""
    failure = as_cchc_error(error)
    status, message = failure.http_status, str(failure)
    headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
    if failure.http_status == 405:
        headers["Allow"] = "GET, POST"
    if wants_html(request):
        page = render(status, message, failure.retry_after, request)
        if page is None:  # the app has not started: a page without the layout
            page = f"<!doctype html><title>{status}</title><p>{html.escape(message)}</p>"
        return HTMLResponse(page, status, headers=headers)
    return Response(
        message.rstrip() + "\n", status, headers=headers, media_type="text/plain; charset=utf-8"
    )


def install(app: FastAPI, render: PageRenderer) -> Callable[[Request, Exception], Response]:
    """Register the handler for every error on `app`; returns it for the fast path."""

    def handle(request: Request, error: Exception) -> Response:
        return error_response(request, error, render)

    async def handler(request: Request, error: Exception) -> Response:
        return handle(request, error)

    for kind in (CchcError, HTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, handler)
    return handle


def error_page_data(status: int, message: str, request: Request) -> tuple[Page, dict[str, object]]:
    """The page and the template's data for an error page."""
    lang = lang_of(request.query_params)
    vi, en = HEADINGS.get(status, ("lỗi", "error"))
    heading = en if lang == "en" else vi
    path = request.url.path
    # the language switch links back here: never to another host ("//host/...")
    page = Page(lang, path if path.startswith("/") and not path.startswith("//") else "/", "")
    page.title = f"{status} {heading}"
    return page, {"status": status, "heading": heading, "message": message}


class BodyLimit:
    """ASGI middleware: a request body past `limit` bytes (as announced, or as it streams in)
    and a query string past it are refused with 413 before anything reads them whole."""

    def __init__(self, app: ASGIApp, limit: int, respond: Callable[[Request, Exception], Response]):
        self.app = app
        self.limit = limit
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = dict(scope["headers"]).get(b"content-length", b"0")
        too_large = len(scope["query_string"]) > self.limit or (
            announced.isdigit() and int(announced) > self.limit
        )
        if too_large:
            response = self.respond(Request(scope), self._error())
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise self._error()
            return message

        await self.app(scope, counted, send)

    def _error(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"the request is larger than the {self.limit >> 10} KiB this endpoint accepts"
        )
