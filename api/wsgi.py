"""The WSGI app the gateway's server loads in each of its processes (api.serve: ``api.wsgi:app``)."""

from __future__ import annotations

from api import create_app, serve

serve.end_with_server()
app = create_app()
app.wsgi_app = serve.whole_bodies(app.wsgi_app)  # type: ignore[method-assign,assignment]
