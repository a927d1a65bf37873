"""Rollouts: a candidate version scored beside the current one, its evidence, and the decision to promote or abort."""
