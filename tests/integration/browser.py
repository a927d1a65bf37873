"""Headless Chromium driven over the DevTools protocol: open pages with extra headers, read them, screenshot them."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import requests
from tornado.websocket import WebSocketClientConnection, websocket_connect

from devstack.processes import Process, wait_until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


class Chromium(Process):
    """One headless Chromium with one page, controlled through its DevTools websocket."""

    def __init__(self, workdir: Path) -> None:
        assert CHROMIUM, "chromium is not installed"
        profile = workdir / "chromium-profile"
        profile.mkdir(parents=True)
        argv = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"]
        super().__init__(argv, dict(os.environ), workdir / "chromium.log")
        # Chromium writes the port it picked into the profile once it listens.
        port_file = profile / "DevToolsActivePort"
        wait_until(lambda: port_file.exists() and port_file.read_text().strip(), 30, "Chromium's DevTools port")
        port = port_file.read_text().split()[0]
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
        page = next(target for target in targets if target["type"] == "page")
        self._loop = asyncio.new_event_loop()
        url = page["webSocketDebuggerUrl"]
        self._socket: WebSocketClientConnection = self._run(
            lambda: websocket_connect(url, max_message_size=64 * 1024 * 1024)
        )
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.call("Page.enable")
        self.call("Network.enable")

    def _run(self, start: Callable[[], Awaitable[Any]], timeout_s: float = 30) -> Any:
        # Started inside the loop: tornado binds its futures to the loop that is running when they are made.
        async def run() -> Any:
            return await asyncio.wait_for(start(), timeout_s)

        return self._loop.run_until_complete(run())

    def _receive(self, timeout_s: float) -> dict[str, Any]:
        raw = self._run(self._socket.read_message, timeout_s)
        assert raw is not None, f"Chromium closed the DevTools connection:\n{self.log()}"
        return json.loads(raw)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result; events that arrive meanwhile are kept."""
        call_id = next(self._ids)
        command = json.dumps({"id": call_id, "method": method, "params": params})
        self._run(lambda: self._socket.write_message(command))
        while True:
            message = self._receive(30)
            if message.get("id") == call_id:
                assert "error" not in message, f"{method}: {message['error']}"
                return message["result"]
            self.events.append(message)

    def wait_event(self, method: str, timeout_s: float = 30, **match: Any) -> dict[str, Any]:
        """Return the first event ``method`` whose params hold ``match``, kept or arriving within the timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            for event in self.events:
                params = event.get("params", {})
                if event.get("method") == method and all(params.get(k) == v for k, v in match.items()):
                    self.events.remove(event)
                    return params
            self.events.append(self._receive(max(0.1, deadline - time.monotonic())))

    def open(self, url: str, headers: dict[str, str] | None = None) -> int:
        """Load ``url`` sending ``headers`` with every request; return the HTTP status of the page."""
        self.events.clear()
        self.call("Network.setExtraHTTPHeaders", headers=headers or {})
        loader = self.call("Page.navigate", url=url)["loaderId"]
        response = self.wait_event("Network.responseReceived", loaderId=loader, type="Document")["response"]
        self.wait_event("Page.loadEventFired")
        return int(response["status"])

    def text(self) -> str:
        """Return the page's visible text."""
        result = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
        return str(result["result"].get("value", ""))

    def wait_for_text(self, *needles: str, timeout_s: float = 30) -> str:
        """Return the page's text once it shows every needle (the page's scripts fill it in)."""

        def shown() -> str | None:
            text = self.text()
            return text if all(needle in text for needle in needles) else None

        return wait_until(shown, timeout_s, f"the page to show {needles}", interval_s=0.25)

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the page at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def stop(self, timeout_s: float = 15) -> None:
        self._socket.close()
        self._run(lambda: asyncio.sleep(0.05))
        self._loop.close()
        super().stop(timeout_s)
