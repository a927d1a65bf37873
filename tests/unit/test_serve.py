"""The gateway's server adaptation (api.serve): whole bodies, granian's options."""

from __future__ import annotations

from api import serve


def test_an_iterated_body_is_handed_over_whole_and_closed():
    closed = []

    class Body:
        def __iter__(self):
            yield b'{"a": '
            yield b"1}"

        def close(self):
            closed.append(True)

    def flask_like(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return Body()

    started = []
    body = serve.whole_bodies(flask_like)({}, lambda status, headers: started.append(status))
    assert body == [b'{"a": 1}'] and closed == [True] and started == ["200 OK"]


def test_a_list_body_is_passed_as_it_is():
    body = [b"ok"]
    assert serve.whole_bodies(lambda environ, start_response: body)({}, lambda *args: None) is body


def test_options_follow_the_gateways_variables(monkeypatch):
    monkeypatch.setenv("API_PORT", "8123")
    monkeypatch.setenv("GATEWAY_PROCESSES", "3")
    monkeypatch.setenv("GATEWAY_THREADS", "7")
    options = serve.options()
    pairs = dict(zip(options[:-1:2], options[1::2], strict=False))
    assert pairs["--port"] == "8123" and pairs["--workers"] == "3" and pairs["--blocking-threads"] == "7"
    assert options[-1] == serve.TARGET == "api.wsgi:app"


def test_the_metrics_folder_is_emptied_of_an_earlier_gateways_files(monkeypatch, tmp_path):
    (tmp_path / "counter_1.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert serve.prepare_metrics_folder() is None  # not private: not removed at exit
    assert list(tmp_path.iterdir()) == []
