"""`--profile`, part 2: the portal's overhead split into layers, measured in this process.

For each request of a list, interleaved item by item:
  sql     the raw statement over psycopg (the floor);
  django  the same work through the portal's own function and Django's DB layer
          (tiles.sql.render_tile; for lookups the view's SQL via django.db.connection);
  wsgi    the full Django request (WSGIHandler: middleware, URL resolving, view, response)
          called directly, without gunicorn or a socket.
  http    the same request to the running gunicorn (new connection): adds gunicorn, TCP and
          the client on top of `wsgi`.
"""

import io
import sys
import time

from .load import http_call
from .util import median


def _environ(path: str, port: int) -> dict:
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(port), "HTTP_HOST": f"127.0.0.1:{port}",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "HTTP_CONNECTION": "close",
    }


def run(sql_items: list, sql_conn, django_calls: list, paths: list[str], port: int,
        reps: int = 3) -> dict:
    """Median latency (ms) of each layer over the list, and the differences between them."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    handler = WSGIHandler()
    cursor = sql_conn.cursor()

    def sql(item):
        statement, params, mode = item
        cursor.execute(statement, params)
        cursor.fetchone() if mode == "scalar" else cursor.fetchall()

    def wsgi(path):
        response = handler(_environ(path, 80), lambda status, headers: None)
        b"".join(response)
        response.close()

    http = http_call(port)
    layers = ("sql", "django", "wsgi", "http")
    timings: dict[str, list[float]] = {name: [] for name in layers}
    clock = time.perf_counter_ns
    for _ in range(reps + 1):  # the first round warms up
        round_times: dict[str, list[float]] = {name: [] for name in layers}
        for item, call, path in zip(sql_items, django_calls, paths, strict=True):
            for name, fn, arg in (("sql", sql, item), ("django", call, None),
                                  ("wsgi", wsgi, path), ("http", http, path)):
                start = clock()
                fn(arg) if arg is not None else fn()
                round_times[name].append((clock() - start) / 1e6)
        for name, values in round_times.items():
            timings[name].append(median(values))
    close_old_connections()
    result = {name: median(values[1:]) for name, values in timings.items()}
    result["django_db_layer"] = result["django"] - result["sql"]
    result["django_request_stack"] = result["wsgi"] - result["django"]
    result["gunicorn_tcp_client"] = result["http"] - result["wsgi"]
    result["http_minus_sql"] = result["http"] - result["sql"]
    return result
