"""Who a request is counted as (rate limit, batch quota): its own address, unless a trusted proxy forwarded it."""

import pytest
from flask import Flask

from api.ratelimit import client_address, trusted_networks
from weave_ml.settings import ConfigError, Settings, from_env


def address_of(peer: str, forwarded: str | None, trusted: tuple[str, ...]) -> str:
    app = Flask(__name__)
    app.extensions["weave_trusted_proxies"] = trusted_networks(Settings(trusted_proxies=trusted))
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": peer}):
        return client_address()


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say():
    assert address_of("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client_and_what_the_client_wrote_is_not_believed():
    ingress = ("10.0.0.0/8",)
    assert address_of("10.0.0.5", "198.51.100.7", ingress) == "198.51.100.7"
    # The client sent its own X-Forwarded-For ("1.2.3.4"); the proxy appended the address it saw.
    assert address_of("10.0.0.5", "1.2.3.4, 198.51.100.7", ingress) == "198.51.100.7"
    # Two proxies: the nearest untrusted address from the right.
    assert address_of("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.3.3", ingress) == "198.51.100.7"
    assert address_of("10.0.0.5", None, ingress) == "10.0.0.5"
    assert address_of("10.0.0.5", "not-an-address", ingress) == "not-an-address"


def test_a_peer_outside_the_trusted_networks_cannot_pick_who_it_is_counted_as():
    assert address_of("198.51.100.7", "10.0.0.9", ("10.0.0.0/8",)) == "198.51.100.7"


def test_trusted_proxies_are_checked_at_start():
    assert from_env({"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1, ::1"}).trusted_proxies == (
        "10.0.0.0/8",
        "192.168.1.1",
        "::1",
    )
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        from_env({"TRUSTED_PROXIES": "10.0.0.0/33"})
