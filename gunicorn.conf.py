"""Gunicorn's settings for Anju, read from ANJU_* variables (gunicorn -c gunicorn.conf.py).

scripts/serve, the Procfile and docs/deploy/anju-web.service all start gunicorn with this file.
"""

import os

bind = os.environ.get("ANJU_BIND", "127.0.0.1:8000").split(",")
# Processes × threads: the threads wait on PostgreSQL, the processes use the cores. Measured with
# bench/load.sh (50 officials, 1M persons, 2 cores): cores+1 processes of 2 threads gave a p95 of
# 0.21 s where 2×cores+1 processes of 4 threads gave 0.32 s — more requests at once on the same
# cores only lengthens each. gthread also keeps a worker alive through a long Excel export (the
# timeout only kills a worker that hangs).
workers = int(os.environ.get("ANJU_WEB_WORKERS") or (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = int(os.environ.get("ANJU_WEB_THREADS") or 2)
timeout = int(os.environ.get("ANJU_WEB_TIMEOUT") or 120)
graceful_timeout = 30
# Keep idle connections longer than a reader pauses between pages (gunicorn's 2 s default closes
# them just as the next request is sent: "connection closed without response" under load) and longer
# than a load balancer's idle timeout (60 s is common). Idle connections cost gthread nothing.
keepalive = int(os.environ.get("ANJU_WEB_KEEPALIVE") or 75)
# Recycle each process now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("ANJU_ACCESS_LOG", "-") or None
# The control socket lives at one path per user ($HOME/.gunicorn/gunicorn.ctl): two servers of the
# same user (a demo beside production, a test) would take it from each other.
control_socket_disable = True
