"""The one Celery app: the ``-A`` target of the scoring and training workers, beat and Flower."""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from weave_ml.settings import get_settings

SCORING_QUEUE = "scoring"
TRAINING_QUEUE = "training"


def create_celery_app() -> Celery:
    """Return the Celery app configured from the process's settings."""
    settings = get_settings()
    # Redis errors should surface in about a second, not after the client's default retries.
    redis_options = {
        "socket_connect_timeout": 1.0,
        "socket_timeout": 5.0,
        "retry_on_timeout": False,
        "health_check_interval": 10,
    }
    celery_app = Celery("weave_ml")
    celery_app.conf.update(
        broker_url=settings.redis_url,
        result_backend=settings.redis_url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        # A task is acknowledged after it ran; if its worker dies it goes back to the queue.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Scoring tasks take milliseconds: a small prefetch keeps the next one ready without letting a dead
        # worker sit on many.
        worker_prefetch_multiplier=2,
        result_expires=settings.result_ttl_s,
        task_default_queue=SCORING_QUEUE,
        task_queues=(Queue(SCORING_QUEUE), Queue(TRAINING_QUEUE)),
        task_routes={"weave.retrain": {"queue": TRAINING_QUEUE}},
        # Unacknowledged messages come back after this long; it must exceed the longest task (a retrain).
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_s, **redis_options},
        result_backend_transport_options=redis_options,
        redis_socket_connect_timeout=1.0,
        redis_socket_timeout=5.0,
        broker_connection_timeout=1.0,
        broker_connection_retry_on_startup=True,
        # Fail a publish fast when Redis is gone: the gateway answers 503 instead of hanging.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3},
        # Flower shows queued, running and finished tasks only with these events.
        worker_send_task_events=True,
        task_send_sent_event=True,
        worker_hijack_root_logger=False,
        imports=("workers.tasks", "workers.runtime"),
    )
    return celery_app


app = create_celery_app()
