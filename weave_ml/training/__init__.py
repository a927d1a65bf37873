"""Training: the seed corpus, training and publishing a model, the weekly retrain and its quality gate, evaluation."""
