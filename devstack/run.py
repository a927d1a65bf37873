"""``make run``: the whole stack on one machine, with private Redis and MongoDB unless given, and a first model."""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import shutil
import sys
import threading
from pathlib import Path

import pymongo
import redis

from devstack import ROOT, demo_reports, procfile
from devstack.processes import free_port
from devstack.supervisor import Supervisor
from weave_ml.registry.store import Registry
from weave_ml.reports.mongo import hosts_of
from weave_ml.training import corpus
from weave_ml.training.train import publish, train_evaluated


def redis_answers(url: str) -> bool:
    """Return whether a Redis server answers PING at ``url``."""
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def stored_secret(path: Path) -> str:
    """Return the stack's secret kept at ``path`` (made on first use, readable by its owner only): the same secret
    across runs keeps the score cache and campaigns of the last run valid."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def environment(var: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return the environment of the stack and the private services it needs started first."""
    env = dict(os.environ)
    # The Procfile's commands (python, celery) live beside this interpreter.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("ML_MODEL_DIR", str(var / "models"))
    env.setdefault("API_PORT", "8000")
    env.setdefault("FLOWER_PORT", "5555")
    env.setdefault("FLOWER_DB", str(var / "flower.db"))
    env.setdefault("BEAT_SCHEDULE_FILE", str(var / "celerybeat-schedule"))
    env.setdefault("FLOWER_BASIC_AUTH", f"weave:{secrets.token_urlsafe(9)}")
    env.setdefault("WEAVE_API_KEY", secrets.token_urlsafe(18))
    env.setdefault("WEAVE_SECRET_KEYS", stored_secret(var / "secret-keys"))
    env.setdefault("GATEWAY_PROCESSES", "2")
    # The gateway processes' shared metric files; api.serve empties the folder at start.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(var / "prometheus"))
    env.setdefault("ML_MONGO_COLLECTION", "phishing_reports")
    services: dict[str, str] = {}
    if env.get("REDIS_URL"):
        if not redis_answers(env["REDIS_URL"]):
            print(f"no Redis answers at REDIS_URL={env['REDIS_URL']} yet: the processes wait for it", flush=True)
    else:
        # A private server rather than whatever answers on the usual port: two stacks on one machine sharing a Redis
        # take each other's tasks, and a worker of one answers the other's requests with a model it does not know.
        if not shutil.which("redis-server"):
            sys.exit("make run: REDIS_URL is not set and redis-server is not installed to start a private Redis")
        port = free_port()
        services["redis"] = f"redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no"
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    if not env.get("MONGODB_URI"):
        port = free_port()
        data = var / "mongo"
        data.mkdir(exist_ok=True)
        # nx-27017 speaks MongoDB's wire protocol over SQLite; it logs every command, so to a file.
        argv = ["nx-27017", "--port", str(port), "--data-dir", str(data)]
        argv += ["--log-file", str(data / "nx-27017.log"), "--pid-file", str(data / "nx-27017.pid")]
        services["mongo"] = f"{shlex.join(argv)} 2>> {shlex.quote(str(data / 'nx-27017.err'))}"
        env["MONGODB_URI"] = f"mongodb://127.0.0.1:{port}/weave"
    return env, services


def ensure_model(model_dir: Path) -> None:
    """Train and publish a first model (seed corpus and everyday text) when the registry is empty."""
    registry = Registry(model_dir)
    if registry.current_version():
        print(f"serving model {registry.current_version()} from {model_dir}")
        return
    print(f"no model in {model_dir}: training one on the seed corpus and everyday text…", flush=True)
    trained = train_evaluated(corpus.default_training_data())
    version = publish(registry, trained)
    print(f"published {version} (held-out MCC {trained.metrics['mcc']:.4f})")


def seed_demo_reports(uri: str, collection: str) -> None:
    """Write fresh demo reports once the private MongoDB answers (it starts with the other processes)."""
    try:
        count = demo_reports.seed(uri, collection)
    except pymongo.errors.PyMongoError as exc:
        print(f"demo reports not written to {hosts_of(uri)}: {exc}", flush=True)
        return
    print(f"wrote {count} demo reports to {hosts_of(uri)} ({collection}); try POST /admin/retrain", flush=True)


def banner(env: dict[str, str]) -> str:
    api = f"http://127.0.0.1:{env['API_PORT']}"
    return f"""
weave-ml is starting:
  gateway   {api}   (health: {api}/health, metrics: {api}/metrics)
  Flower    http://127.0.0.1:{env["FLOWER_PORT"]}   (user:password {env["FLOWER_BASIC_AUTH"]})
  Redis     {env["REDIS_URL"]}
  MongoDB   {hosts_of(env["MONGODB_URI"])}   (reports in collection {env["ML_MONGO_COLLECTION"]})
  models    {env["ML_MODEL_DIR"]}
  admin key {env["WEAVE_API_KEY"]}   (X-API-Key for /admin/*)

try:
  curl -s -X POST {api}/predict -H 'Content-Type: application/json' \\
       -d '{{"message": "[Web발신] 택배 주소불명 보관중. 주소 확인 http://han.gl/xY12", "sender": "010-1234-5678"}}'
  curl -s -X POST {api}/admin/retrain -H 'X-API-Key: {env["WEAVE_API_KEY"]}'   # then GET the status_url

A process that exits is started again; Ctrl-C stops everything.
"""


def main(argv: list[str] | None = None) -> int:
    """Start every process of the stack and keep each one running; Ctrl-C stops them all."""
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument(
        "--var", type=Path, default=ROOT / "var", help="folder of the stack's models and state (default: var/)"
    )
    var = parser.parse_args(argv).var
    var.mkdir(parents=True, exist_ok=True)
    env, services = environment(var)
    ensure_model(Path(env["ML_MODEL_DIR"]))
    supervisor = Supervisor(env, ROOT)
    for name, command in [*services.items(), *procfile.processes().items()]:
        supervisor.add(name, procfile.shell(command))
    if "mongo" in services:
        args = (env["MONGODB_URI"], env["ML_MONGO_COLLECTION"])
        threading.Thread(target=seed_demo_reports, args=args, daemon=True).start()
    print(banner(env), flush=True)
    return supervisor.run()
