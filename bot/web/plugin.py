"""Datasette hooks of the officials' web view (registered by server.py).

Arbitrary SQL is off (allow_sql: false), but datasette-dashboards draws each chart from
`/<db>.json?sql=<the chart's query>` and refuses the dashboard page itself unless the viewer may
run SQL. So the viewer may run exactly the charts' query texts, on their database, and open the
dashboard pages — nothing else. Permission hooks do not see the request; an ASGI wrapper keeps it
in a context variable for the length of the request.

An anonymous visitor of a password-protected view is sent to the login page instead of a bare 403.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from datasette import hookimpl  # type: ignore[import-untyped]
from datasette.utils.asgi import Request, Response  # type: ignore[import-untyped]

from bot.web.metadata import chart_queries

_SCOPE: ContextVar[dict | None] = ContextVar("courier_bot_web_scope", default=None)
DASHBOARD_PATHS = "/-/dashboards/"
CHARTS_PLUGIN = "datasette-dashboards"
LOGIN_PLUGIN = "datasette-auth-passwords"


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def remember_request(scope: dict, receive: Any, send: Any) -> None:
            token = _SCOPE.set(scope)
            try:
                await app(scope, receive, send)
            finally:
                _SCOPE.reset(token)

        return remember_request

    return wrap


# trylast: Datasette keeps the last answer any hook gives, so this one overrides allow_sql: false.
@hookimpl(trylast=True)
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    scope = _SCOPE.get()
    if action != "execute-sql" or scope is None or scope.get("type") != "http":
        return None
    if scope["path"].startswith(DASHBOARD_PATHS):
        return True
    # Only the database's query page: a table page would take the chart's sql= as a pass for
    # its own _where= clause.
    if scope["path"] not in (f"/{resource}", f"/{resource}.json"):
        return None
    sql = Request(scope, None).args.get("sql")
    allowed = chart_queries(datasette.plugin_config(CHARTS_PLUGIN))
    return True if (resource, sql) in allowed else None


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Any:
    if request.actor is None and datasette.plugin_config(LOGIN_PLUGIN):
        return Response.redirect(datasette.urls.path("/-/login"))
    return None
