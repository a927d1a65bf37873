"""gunicorn settings of the gateway; each can be overridden by its environment variable."""

import os

bind = f"0.0.0.0:{os.environ.get('API_PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_PROCESSES", "2"))
# Requests mostly wait on Redis; threads let one process hold many of them.
threads = int(os.environ.get("GATEWAY_THREADS", "32"))
timeout = 30
graceful_timeout = 10
keepalive = 30
accesslog = None
