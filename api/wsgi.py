"""The WSGI app the gateway's server loads in each of its processes (api.serve: ``api.wsgi:app``)."""

from api import create_app, serve

serve.end_with_server()
app = create_app()
