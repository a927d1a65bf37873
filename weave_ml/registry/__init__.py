"""The model registry on the shared volume: versions, the current pointer, the rollout record, and changes to them."""
