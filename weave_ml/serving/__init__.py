"""Serving: the model a worker holds, what it does with a job, and the Redis records answers travel through
(score cache, reply lists, late answers, batch jobs, the broker's queues and sealed task bodies)."""
