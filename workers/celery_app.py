"""The one Celery app: the ``-A`` target of the scoring and training workers, beat and Flower."""

from __future__ import annotations

from celery import Celery
from kombu import Queue

import beat_schedule
from weave_ml.connections import REDIS_OPTIONS
from weave_ml.names import (
    BATCH_QUEUE,
    CAMPAIGN_EXAMPLES_TASK,
    CAMPAIGN_REPORTS_TASK,
    PREDICT_QUEUE,
    REGISTRY_ADMIN_TASK,
    RETRAIN_TASK,
    ROLLOUT_CHECK_TASK,
    SCORE_BATCH_CHUNK_TASK,
    SCORE_MESSAGES_TASK,
    TRAINING_QUEUE,
)
from weave_ml.serving import sealed_bodies
from weave_ml.settings import get_settings
from workers import telemetry

# How often a worker looks for tasks a dead worker took and never acknowledged (one ZRANGE on Redis).
RESTORE_SWEEP_S = 5


def create_celery_app() -> Celery:
    """Return the Celery app configured from the process's settings."""
    settings = get_settings()
    sealed_bodies.install()
    # Redis errors should surface in about a second, not after the client's default retries.
    redis_options = {**REDIS_OPTIONS, "retry_on_timeout": False}
    celery_app = Celery("weave_ml")
    celery_app.conf.update(
        broker_url=settings.redis_url,
        # kombu's Redis transport, reusing one redis-py client per channel (see weave_ml.serving.broker_transport).
        broker_transport="weave_ml.serving.broker_transport:Transport",
        result_backend=settings.redis_url,
        # Task bodies carry texts and numbers: sealed with the deployment's secret (weave_ml.serving.sealed_bodies).
        task_serializer=sealed_bodies.NAME,
        accept_content=[sealed_bodies.NAME],
        result_serializer="json",
        result_accept_content=["json"],
        # A scoring task is acknowledged after it ran; if its worker dies it goes back to the queue. (The retrain
        # opts out: see workers.tasks.)
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One task at a time: a worker busy with a batch chunk holds no /predict task it could not start, and
        # the next task it takes is the most urgent one waiting (see queue_order_strategy).
        worker_prefetch_multiplier=1,
        result_expires=settings.result_ttl_s,
        task_default_queue=PREDICT_QUEUE,
        task_queues=(Queue(PREDICT_QUEUE), Queue(BATCH_QUEUE), Queue(TRAINING_QUEUE)),
        task_routes={
            SCORE_MESSAGES_TASK: {"queue": PREDICT_QUEUE},
            SCORE_BATCH_CHUNK_TASK: {"queue": BATCH_QUEUE},
            RETRAIN_TASK: {"queue": TRAINING_QUEUE},
            # The trainer is the one worker that mounts the registry read-write.
            REGISTRY_ADMIN_TASK: {"queue": TRAINING_QUEUE},
            ROLLOUT_CHECK_TASK: {"queue": TRAINING_QUEUE},
            CAMPAIGN_REPORTS_TASK: {"queue": TRAINING_QUEUE},
            CAMPAIGN_EXAMPLES_TASK: {"queue": TRAINING_QUEUE},
        },
        # Built here so a bad ML_CRON_SCHEDULE stops beat (and every other role) at start.
        beat_schedule=beat_schedule.build(settings),
        # A worker consuming several queues asks Redis for them in the order its --queues names them (BRPOP
        # takes the first non-empty list), instead of kombu's default rotation: predict before batch, always.
        # Unacknowledged messages come back after visibility_timeout; it must exceed the longest scoring task
        # (SCORING_TIME_LIMIT_S stops one well before). A live worker looks for them every RESTORE_SWEEP_S:
        # kombu's default throttle would make that every 100 s.
        broker_transport_options={
            "queue_order_strategy": "priority",
            "visibility_timeout": settings.visibility_timeout_s,
            "unacked_restore_interval": RESTORE_SWEEP_S,
            "unacked_restore_throttle": 1,
            **redis_options,
        },
        result_backend_transport_options=redis_options,
        redis_socket_connect_timeout=REDIS_OPTIONS["socket_connect_timeout"],
        redis_socket_timeout=REDIS_OPTIONS["socket_timeout"],
        broker_connection_timeout=REDIS_OPTIONS["socket_connect_timeout"],
        broker_connection_retry_on_startup=True,
        # Workers and beat keep trying to reach a lost broker for as long as it takes (Celery's default gives
        # up after 100 tries, about 50 minutes, and the process exits), and resume by themselves when it is back.
        broker_connection_max_retries=None,
        # Fail a publish fast when Redis is gone: the gateway answers 503 instead of hanging.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3},
        # Flower shows running and finished tasks from the workers' events. /predict's micro-batch tasks send none
        # (workers.tasks): a thousand a second are more than Flower can show and cost each answer an event; batch
        # chunks, training and the rest stay visible. No task-sent event either: it doubled every publish for a
        # "queued" state Flower shows for a few milliseconds.
        worker_send_task_events=True,
        task_send_sent_event=False,
        worker_hijack_root_logger=False,
        imports=("workers.tasks", "workers.rollout_tasks", "workers.campaign_tasks", "workers.runtime"),
    )
    telemetry.install()
    return celery_app


app = create_celery_app()
