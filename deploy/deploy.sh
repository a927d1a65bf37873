#!/usr/bin/env bash
# Deploys the weave-ml stack on a Swarm manager; run by the deploy workflow over SSH, or by hand.
#
#   deploy/deploy.sh                 deploy the images named in .env, wait until healthy, roll back on failure
#   deploy/deploy.sh rollback        deploy the images of the deploy before the last good one
#   deploy/deploy.sh rollback TAG    deploy <ECR_REGISTRY>/weave-ml-{inference,trainer}:TAG
#
# Expects beside it the layout of the repository: ../docker-compose.prod.yml and ../.env.
# Environment (overrides .env): ECR_LOGIN_PASSWORD (a fresh `aws ecr get-login-password` from CI; without
# it the host's own AWS credentials are used), HEALTH_TIMEOUT_S (default 600), HEALTH_POLL_S (default 10).
set -euo pipefail

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE_FILE_PATH="$STACK_DIR/docker-compose.prod.yml"
ENV_FILE="$STACK_DIR/.env"
# Images of the last deploy that became healthy, and of the one before it: what a rollback goes back to.
STATE_DIR="$STACK_DIR/.deploy-state"
APP_SERVICES=(ml-inference ml-worker ml-trainer ml-beat flower)

log() { printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# Reads KEY=value lines literally (no shell evaluation: a secret may hold $, quotes or spaces), strips one
# pair of surrounding quotes as docker compose does, and exports them unless already set in the environment.
load_env() {
    local file="$1" line key value
    [[ -f "$file" ]] || die "$file is missing (see .env.example)"
    # The file holds secrets: readable by its owner only.
    chmod 600 "$file"
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        [[ "$line" == *=* ]] || die "$file: not KEY=value: ${line%%=*}"
        key="${line%%=*}"
        value="${line#*=}"
        [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "$file: bad variable name '$key'"
        if [[ "$value" =~ ^\'(.*)\'$ || "$value" =~ ^\"(.*)\"$ ]]; then
            value="${BASH_REMATCH[1]}"
        fi
        [[ -v "$key" ]] || export "$key=$value"
    done <"$file"
}

ecr_login() {
    local registry="${ECR_REGISTRY:?set ECR_REGISTRY in .env}"
    log "logging in to $registry"
    if [[ -n "${ECR_LOGIN_PASSWORD:-}" ]]; then
        docker login --username AWS --password-stdin "$registry" <<<"$ECR_LOGIN_PASSWORD" >/dev/null
    else
        command -v aws >/dev/null || die "no ECR_LOGIN_PASSWORD and no aws CLI to get one"
        aws ecr get-login-password --region "${AWS_REGION:?set AWS_REGION in .env}" |
            docker login --username AWS --password-stdin "$registry" >/dev/null
    fi
}

# The image a service runs now, without its @digest, or nothing when the service does not exist.
running_image() {
    local image
    image="$(docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${STACK_NAME}_$1" 2>/dev/null)" || return 0
    printf '%s\n' "${image%%@*}"
}

# Prints "ready", "waiting: why" or "failed: why" for one service of the stack.
service_status() {
    local service="${STACK_NAME}_$1" update_state replicas running desired
    # Empty while Swarm is still creating the service.
    update_state="$(docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$service" 2>/dev/null || true)"
    case "$update_state" in
        rollback_* | paused) echo "failed: update $update_state (Swarm rolled the service back)" && return ;;
        updating) echo "waiting: updating" && return ;;
    esac
    # "2/2" or "1/1 (max 1 per node)": a task counts as running only once its healthcheck passed.
    replicas="$(docker service ls --filter "name=$service" --format '{{.Name}} {{.Replicas}}' |
        awk -v name="$service" '$1 == name { print $2 }')"
    running="${replicas%%/*}"
    desired="${replicas#*/}"
    if [[ -n "$replicas" && "$running" == "$desired" && "$desired" != 0 ]]; then
        echo "ready"
    else
        echo "waiting: ${replicas:-no replicas yet} running"
    fi
}

wait_until_healthy() {
    local timeout="${HEALTH_TIMEOUT_S:-600}" poll="${HEALTH_POLL_S:-10}" deadline status service pending
    deadline=$((SECONDS + timeout))
    # Let Swarm register the new spec first, so the old, healthy tasks are not mistaken for the new ones.
    sleep "$poll"
    while ((SECONDS < deadline)); do
        pending=()
        for service in "${APP_SERVICES[@]}" redis-broker redis-cache; do
            status="$(service_status "$service")"
            case "$status" in
                failed:*) log "$service ${status}" && return 1 ;;
                waiting:*) pending+=("$service (${status#waiting: })") ;;
            esac
        done
        if ((${#pending[@]} == 0)); then
            log "all services are healthy"
            return 0
        fi
        log "waiting for: ${pending[*]}"
        sleep "$poll"
    done
    log "services not healthy after ${timeout}s"
    docker stack ps --no-trunc --filter desired-state=running "$STACK_NAME" >&2 || true
    return 1
}

deploy_stack() {
    local inference="$1" trainer="$2"
    log "deploying $inference and $trainer"
    ML_INFERENCE_IMAGE="$inference" ML_TRAINER_IMAGE="$trainer" \
        docker stack deploy --with-registry-auth --prune --compose-file "$COMPOSE_FILE_PATH" "$STACK_NAME"
}

# A fresh ml_models volume holds no model: train one from the bundled seed corpus, as `make run` does.
# Retrains from MongoDB replace it on schedule.
bootstrap_model() {
    local container
    container="$(docker ps --quiet --filter "label=com.docker.swarm.service.name=${STACK_NAME}_ml-trainer" | head -n 1)"
    if [[ -z "$container" ]]; then
        log "the trainer runs on another node: skipped the first-model check"
        return 0
    fi
    if [[ "$(docker exec "$container" weave-ml models --json)" == "[]" ]]; then
        log "the model registry is empty: training the first model on the seed corpus"
        docker exec "$container" weave-ml train
    fi
}

remember_good() {
    mkdir -p "$STATE_DIR"
    [[ -f "$STATE_DIR/last-good.env" ]] && mv "$STATE_DIR/last-good.env" "$STATE_DIR/previous-good.env"
    printf 'ML_INFERENCE_IMAGE=%s\nML_TRAINER_IMAGE=%s\n' "$1" "$2" >"$STATE_DIR/last-good.env"
}

# Prints the two images saved in a state file, one per line.
saved_images() {
    local file="$STATE_DIR/$1"
    [[ -f "$file" ]] || return 1
    sed -n 's/^ML_INFERENCE_IMAGE=//p; s/^ML_TRAINER_IMAGE=//p' "$file"
}

roll_back_to() {
    local inference="$1" trainer="$2"
    log "rolling back to $inference and $trainer"
    deploy_stack "$inference" "$trainer"
    wait_until_healthy || die "the rollback did not become healthy either: see 'docker stack ps $STACK_NAME'"
    log "rolled back"
}

cmd_deploy() {
    local inference="${ML_INFERENCE_IMAGE:?set ML_INFERENCE_IMAGE in .env}"
    local trainer="${ML_TRAINER_IMAGE:?set ML_TRAINER_IMAGE in .env}"
    local good=() before_inference before_trainer
    # What to return to if this deploy fails: the last deploy that became healthy, else what runs now.
    if mapfile -t good < <(saved_images last-good.env) && ((${#good[@]} == 2)); then
        before_inference="${good[0]}"
        before_trainer="${good[1]}"
    else
        before_inference="$(running_image ml-inference)"
        before_trainer="$(running_image ml-trainer)"
    fi

    ecr_login
    # Pull before touching the stack: a missing image fails here, with the old stack still serving.
    docker pull --quiet "$inference" >/dev/null
    docker pull --quiet "$trainer" >/dev/null

    deploy_stack "$inference" "$trainer"
    if ! wait_until_healthy; then
        if [[ -n "$before_inference" && -n "$before_trainer" ]]; then
            roll_back_to "$before_inference" "$before_trainer"
        else
            log "first deploy: there are no earlier images to roll back to"
        fi
        die "deploy of $inference failed"
    fi
    remember_good "$inference" "$trainer"
    bootstrap_model
    # Through the published port as the Java API would see it; Swarm already judged the containers healthy,
    # so a failure here points at the routing mesh or a firewall and is reported, not rolled back.
    if command -v curl >/dev/null; then
        curl --fail --silent --show-error --max-time 5 "http://127.0.0.1:${ML_INFERENCE_PORT:-8000}/health" >&2 ||
            log "warning: /health does not answer on port ${ML_INFERENCE_PORT:-8000} of this host"
        printf '\n' >&2
    fi
    # Old layers of earlier deploys (the last two stay referenced by the rollback state).
    docker image prune --force --filter "until=240h" >/dev/null || true
    log "deployed $inference"
}

cmd_rollback() {
    local images=()
    if (($# == 1)); then
        images=("${ECR_REGISTRY:?set ECR_REGISTRY in .env}/weave-ml-inference:$1" "$ECR_REGISTRY/weave-ml-trainer:$1")
        ecr_login
    elif mapfile -t images < <(saved_images previous-good.env) && ((${#images[@]} == 2)); then
        log "going back to the deploy before the last good one"
    else
        die "no earlier deploy recorded in $STATE_DIR: give an image tag (a commit SHA)"
    fi
    roll_back_to "${images[0]}" "${images[1]}"
    remember_good "${images[0]}" "${images[1]}"
}

main() {
    command -v docker >/dev/null || die "docker is not installed"
    load_env "$ENV_FILE"
    STACK_NAME="${STACK_NAME:-weave-ml}"
    case "${1:-deploy}" in
        deploy) cmd_deploy ;;
        rollback) shift && cmd_rollback "$@" ;;
        *) die "usage: $0 [deploy | rollback [IMAGE_TAG]]" ;;
    esac
}

main "$@"
