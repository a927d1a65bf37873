"""The rollout check on the trainer: judge the rollout's evidence, abort or promote it, tell the workers."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from kombu.exceptions import OperationalError

from weave_ml.connections import redis_client
from weave_ml.names import RELOAD_COMMAND, ROLLOUT_CHECK_TASK
from weave_ml.registry.store import Registry
from weave_ml.rollouts import check as rollout_check
from weave_ml.rollouts.evidence import EvidenceStore
from weave_ml.settings import get_settings

log = logging.getLogger(__name__)


@shared_task(name=ROLLOUT_CHECK_TASK, acks_late=False, ignore_result=True)
def check_rollout() -> dict[str, Any]:
    """Judge the rollout in progress (if any) and, when it was aborted or promoted, make the workers follow now."""
    settings = get_settings()
    store = EvidenceStore(redis_client(settings.state_url), settings.rollout_evidence_ttl_s)
    result = rollout_check.check(settings, Registry(settings.model_dir, keep=settings.models_keep), store)
    outcome = result.get("outcome") or {}
    store.forget_ended(outcome)
    if "event" in outcome:
        try:
            check_rollout.app.control.broadcast(RELOAD_COMMAND)
        except OperationalError as exc:  # workers still notice the record within seconds
            log.warning("rollout %s not broadcast: %s", outcome["event"], exc)
    return result
