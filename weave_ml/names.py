"""Names every process must agree on: Celery tasks, queues and broadcasts, the task header, Redis key prefixes."""

from __future__ import annotations

# Celery tasks. The gateway sends them by name and never imports the worker's code.
SCORE_MESSAGES_TASK = "weave.score_messages"
SCORE_BATCH_CHUNK_TASK = "weave.score_batch_chunk"
RETRAIN_TASK = "weave.retrain"
# Changes of the model registry (rollback, promotion) run on the trainer, the one process that may write it. The
# task takes an action name (weave_ml.registry.changes.ACTIONS), so new kinds of change need no new task.
REGISTRY_ADMIN_TASK = "weave.registry_admin"
# Looks at a rollout's evidence and aborts or promotes it (beat sends it every ROLLOUT_CHECK_INTERVAL_S; the trainer
# runs it, as it may write the registry).
ROLLOUT_CHECK_TASK = "weave.rollout_check"
# Reports the Java API wrote to MongoDB label the campaigns of their texts (weave_ml.campaigns.verdicts); the trainer
# runs it.
CAMPAIGN_REPORTS_TASK = "weave.campaign_reports"
# The masked templates of phishing campaigns are kept for the retrain (weave_ml.campaigns.examples), on the trainer.
CAMPAIGN_EXAMPLES_TASK = "weave.campaign_examples"

# Broker queues. A scoring worker consumes PREDICT_QUEUE before BATCH_QUEUE (see workers.celery_app), so a
# /predict never waits behind batch work; the long retrain has a worker of its own.
PREDICT_QUEUE = "predict"
BATCH_QUEUE = "batch"
SCORING_QUEUES = (PREDICT_QUEUE, BATCH_QUEUE)
TRAINING_QUEUE = "training"

# Remote-control command that makes every worker load the newly current model now.
RELOAD_COMMAND = "weave_reload_model"

# Task message header carrying the HTTP request ids a task serves (comma-separated).
REQUEST_ID_HEADER = "request_id"

# Redis keys. Every key the service writes starts with "weave:", so an operator can tell them from Celery's.
SCORE_PREFIX = "weave:score"  # weave:score:<model version>:<message hash> → a cached score
REPLY_PREFIX = "weave:reply"  # weave:reply:<gateway process> → the list that process reads its replies from
# weave:batch:<batch id> (facts) and its :scores (results by position), :chunks (sealed payloads of chunks not yet
# recorded) and :chunk-states (each such chunk's sequence number, publish time, claims and lease)
BATCH_PREFIX = "weave:batch"
ACTIVE_BATCHES_KEY = "weave:batches:active"  # sorted set: jobs with chunks not yet recorded, by creation time
BATCH_PUBLISHED_KEY = "weave:batches:published"  # chunk tasks ever published: each chunk's sequence number
BATCH_SWEEP_LOCK_KEY = "weave:batches:sweep-lock"  # held by the worker sweeping unfinished jobs
PENDING_PREFIX = "weave:pending"  # weave:pending:<request id> → what answers a /predict that timed out
DROPPED_PREFIX = "weave:dropped"  # weave:dropped:<request id> → its task expired in the queue, unscored
WORKER_STATES_KEY = "weave:workers"  # hash <host>:<pid> → the model a scoring process serves, and when it said so
RETRAIN_TASK_PREFIX = "weave:retrain-task"  # weave:retrain-task:<task id> → a retrain started by the gateway
REGISTRY_TASK_PREFIX = "weave:registry-task"  # weave:registry-task:<task id> → a registry change the gateway asked for
RETRAIN_LOCK_KEY = "weave:retrain:lock"
RETRAIN_OUTCOMES_KEY = "weave:retrain:outcomes"
RETRAIN_LAST_RUN_KEY = "weave:retrain:last_run"
RATE_LIMIT_PREFIX = "weave:ratelimit"
CLIENT_BATCHES_PREFIX = "weave:client-batches"  # weave:client-batches:<client> → its batch ids, by creation time
SERVICE_COUNTERS_KEY = "weave:counters"  # counts kept by the workers and read by the gateway's /metrics
# weave:campaign:band:<band hash> → campaign id; weave:campaign:c:<id> (counts, times, verdict) and its :sender-ids
# (keyed hashes); weave:campaign:active, a sorted set of campaigns with enough senders by last seen. No message text.
CAMPAIGN_PREFIX = "weave:campaign"
# weave:reputation:d:<registrable domain> and weave:reputation:n:<keyed hash of a number or messenger id> (counts,
# times, evidence, verdict) with their :sender-ids (keyed hashes) and evidence hashes; weave:reputation:verified (the
# operators' verified senders). No message text, no number in clear (weave_ml.reputation.store).
REPUTATION_PREFIX = "weave:reputation"
ROLLOUT_SEEN_PREFIX = "weave:rollout:seen"  # weave:rollout:seen:<rollout id>:<message hash> → each version's score
ROLLOUT_STATS_PREFIX = "weave:rollout:stats"  # weave:rollout:stats:<rollout id> → counts per version, agreement
ROLLOUT_LAST_CHECK_KEY = "weave:rollout:last-check"  # the last check's evidence and decision, as JSON
