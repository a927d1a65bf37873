"""The ``weave-ml`` command line: train, retrain, evaluate, list and roll back models, roll out a candidate, score a
message, scale the scoring workers."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weave_ml.model import datasets
from weave_ml.model.predictions import DEFAULT_SENSITIVITY, SENSITIVITY_LEVELS, to_prediction
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.rollouts import cli as rollout_cli
from weave_ml.scaling import autoscale
from weave_ml.settings import ConfigError, get_settings
from weave_ml.training import corpus, evaluation, lofo, retrain
from weave_ml.training.train import publish, train_evaluated


def _registry(args: argparse.Namespace) -> Registry:
    settings = get_settings()
    return Registry(args.model_dir or settings.model_dir, keep=settings.models_keep)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _load_data(args: argparse.Namespace) -> list[datasets.LabelledMessage]:
    if not args.data:
        return corpus.default_training_data()
    formats = args.format or ["jsonl"] * len(args.data)
    if len(formats) == 1 and len(args.data) > 1:
        formats = formats * len(args.data)
    if len(formats) != len(args.data):
        raise datasets.DatasetError("give one --format per --data, or one for all")
    return [message for path, fmt in zip(args.data, formats, strict=True) for message in datasets.read(path, fmt)]


def cmd_train(args: argparse.Namespace) -> int:
    """Train on the seed corpus and everyday text (or --data files), choose thresholds on a held-out split, publish."""
    messages = _load_data(args)
    trained = train_evaluated(messages, seed=args.seed)
    version = publish(_registry(args), trained)
    m = trained.metrics
    print(
        f"published {version}: {len(messages)} messages, held-out MCC {m['mcc']:.4f}, "
        f"spam caught {m['spam_caught']:.2%}, ham blocked {m['ham_blocked']:.2%} at medium sensitivity"
    )
    for level, point in m["operating_points"].items():
        print(
            f"  {level:<6} threshold {point['threshold']:.4f} (set by {point['set_by']})  "
            f"held-out phishing caught {point['phishing_caught']:.2%}"
        )
    return 0


def cmd_retrain(args: argparse.Namespace) -> int:
    """Run the retraining pipeline here (reports from MONGODB_URI + bundled data → gate → publish); print its report."""
    settings = get_settings()
    if args.model_dir:
        settings = dataclasses.replace(settings, model_dir=args.model_dir)
    try:
        report = retrain.run(settings, trigger="cli")
    except retrain.RetrainFailed as exc:
        print(f"weave-ml retrain: {exc}", file=sys.stderr)
        return 1
    _print_json(report.to_dict())
    print(f"retrain: {report.decision}: {report.reason}", file=sys.stderr)
    return 3 if report.decision == retrain.ALREADY_RUNNING else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate the pipeline (or the current model) on a labelled file, or the current model on held-out Korean data."""
    if args.protocol == "korean":
        return _evaluate_korean(args)
    if args.protocol == "lofo":
        return _evaluate_lofo(args)
    if not (args.data and args.format):
        raise datasets.DatasetError(f"protocol {args.protocol} needs --data and --format")
    messages = datasets.read(args.data, args.format)
    if args.protocol == "almeida":
        result = evaluation.evaluate_almeida(messages)
    elif args.protocol == "cv5":
        result = evaluation.evaluate_cv5(messages)
    else:
        loaded = _registry(args).load()
        result = evaluation.evaluate_scorer(loaded.scorer(), messages)
    if args.json:
        print(
            json.dumps({key: result[key] for key in ("accuracy", "spam_caught", "ham_blocked", "mcc", "roc_auc", "n")})
        )
    else:
        print(f"protocol      {args.protocol} ({result['n']} messages scored, threshold {result['threshold']})")
        print(f"accuracy      {result['accuracy']:.2%}")
        print(f"spam caught   {result['spam_caught']:.2%}")
        print(f"ham blocked   {result['ham_blocked']:.2%}")
        print(f"MCC           {result['mcc']:.4f}")
        print(f"ROC-AUC       {result['roc_auc']:.4f}")
    return 0


def _evaluate_korean(args: argparse.Namespace) -> int:
    loaded = _registry(args).load()
    result = evaluation.evaluate_korean(loaded.scorer())
    set_by = loaded.metadata.get("thresholds_set_by") or {}
    result["thresholds_set_by"] = set_by or None
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    everyday, golden = result["everyday_evaluation"], result["golden"]
    print(f"model {result['model_version']}: everyday evaluation part ({everyday['n']} texts no model trains on)")
    print(f"and the synthetic phishing of the golden split ({golden['phishing']} of its {golden['n']} messages;")
    print("drawn from the templates the model trains on, so an upper bound: see --protocol lofo):")
    print(f"{'':<8}{'threshold':>10}{'set by':>10}{'everyday flagged':>18}{'phishing caught':>17}")
    for level in SENSITIVITY_LEVELS:
        point, flagged = golden[level], everyday["flagged"][level]
        print(
            f"{level:<8}{point['threshold']:>10.4f}{set_by.get(level, '-'):>10}"
            f"{flagged:>18.3%}{point['phishing_caught']:>17.2%}"
        )
    print(f"phishing caught by family ({', '.join(SENSITIVITY_LEVELS)}):")
    for family in golden[DEFAULT_SENSITIVITY]["phishing_caught_by_source"]:
        caught = "  ".join(f"{golden[level]['phishing_caught_by_source'][family]:7.2%}" for level in SENSITIVITY_LEVELS)
        print(f"  {family.removeprefix('seed:'):<24}{caught}")
    return 0


def _evaluate_lofo(args: argparse.Namespace) -> int:
    result = lofo.evaluate_lofo(corpus.default_training_data(), args.family or None)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print("leave one family out: trained without the family, its brands and its domains; share of it caught")
    print(f"{'family':<24}{'n':>6}{'dropped':>9}{'low':>8}{'medium':>8}{'high':>8}  medium set by")
    for fold in result["families"]:
        caught = "".join(f"{fold['caught'][level]:>8.3f}" for level in SENSITIVITY_LEVELS)
        set_by = fold["thresholds_set_by"][DEFAULT_SENSITIVITY]
        print(f"{fold['family']:<24}{fold['n']:>6}{fold['dropped']:>9}{caught}  {set_by}")
    median, lowest = result["median_caught_at_medium"], result["lowest_caught_at_medium"]
    print(f"median caught at medium {median:.3f}, lowest {lowest:.3f}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """List the registry's versions, oldest first."""
    versions = _registry(args).versions()
    if args.json:
        _print_json(versions)
        return 0
    if not versions:
        print("no models published")
    for meta in versions:
        marker = "*" if meta["current"] else " "
        mcc = (meta.get("metrics") or {}).get("mcc")
        medium = (meta.get("thresholds") or {}).get(DEFAULT_SENSITIVITY)
        set_by = (meta.get("thresholds_set_by") or {}).get(DEFAULT_SENSITIVITY)
        print(
            f"{marker} {meta['version']}  {meta['status']:<9}  {meta['created_at']}  "
            f"MCC {mcc if mcc is None else f'{mcc:.4f}'}  vocabulary {meta['vocabulary_size']}  "
            f"medium {medium if medium is None else f'{medium:.4f}'}{f' (set by {set_by})' if set_by else ''}"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Make VERSION (default: the previous published one) current."""
    version = _registry(args).rollback(args.version)
    print(f"current model is now {version}")
    return 0


def cmd_rollout(args: argparse.Namespace) -> int:
    """Roll out a candidate version: start CANDIDATE --mode shadow|canary [--share P], status, promote, abort."""
    return rollout_cli.run(args, _registry(args))


def cmd_autoscale(args: argparse.Namespace) -> int:
    """Set the scoring service's replicas from the queue depth, through the Docker Engine API (runs until stopped)."""
    return autoscale.main(once=args.once)


def cmd_score(args: argparse.Namespace) -> int:
    """Score one message with the current model and print the prediction."""
    loaded = _registry(args).load()
    score = loaded.scorer().score_many([args.text], [args.sender])[0]
    _print_json(to_prediction(score, args.sensitivity, loaded.points))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``weave-ml`` command."""
    parser = argparse.ArgumentParser(prog="weave-ml", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Any, registry: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=handler.__doc__, description=handler.__doc__)
        sub.set_defaults(handler=handler)
        if registry:
            sub.add_argument("--model-dir", type=Path, help="registry folder (default: ML_MODEL_DIR)")
        return sub

    train = command("train", cmd_train)
    train.add_argument("--data", type=Path, action="append", help="labelled file (repeatable); default: seed corpus")
    train.add_argument("--format", action="append", choices=datasets.FORMATS, help="format of each --data")
    train.add_argument("--seed", type=int, default=0, help="seed of the held-out split and the model")

    command("retrain", cmd_retrain)

    evaluate = command("evaluate", cmd_evaluate)
    evaluate.add_argument("--data", type=Path, help="labelled file (not for --protocol korean or lofo)")
    evaluate.add_argument("--format", choices=datasets.FORMATS)
    evaluate.add_argument("--protocol", choices=evaluation.PROTOCOLS, default="almeida")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument(
        "--family", action="append", choices=lofo.FAMILY_NAMES, help="--protocol lofo: this family only (repeatable)"
    )

    command("models", cmd_models).add_argument("--json", action="store_true")
    command("rollback", cmd_rollback).add_argument("version", nargs="?")

    rollout = command("rollout", cmd_rollout)
    rollout.add_argument("action", choices=("start", "status", "promote", "abort"))
    rollout.add_argument("candidate", nargs="?", help="the version to roll out (start)")
    rollout.add_argument("--mode", choices=("shadow", "canary"), help="shadow: scored only; canary: answers a share")
    rollout.add_argument("--share", type=float, help="percent of messages the candidate answers (canary; default 10)")
    rollout.add_argument("--reason", help="why (promote, abort): kept in the log")
    rollout.add_argument("--json", action="store_true", help="print JSON (status)")

    command("autoscale", cmd_autoscale, registry=False).add_argument(
        "--once", action="store_true", help="one decision, printed, then exit"
    )

    score = command("score", cmd_score)
    score.add_argument("text")
    score.add_argument("--sender")
    score.add_argument("--sensitivity", choices=SENSITIVITY_LEVELS, default=DEFAULT_SENSITIVITY)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors a user can fix print one line and exit with 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (ConfigError, RegistryError, datasets.DatasetError, ValueError) as exc:
        print(f"weave-ml {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
