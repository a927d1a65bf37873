#!/bin/sh
# Entry point of both images. A command that is one Procfile process name (api, worker, trainer, beat,
# flower) runs that Procfile line, so containers start exactly the commands `make run` starts, with the
# line's "$VARIABLES" filled from the container's environment. Anything else (weave-ml train, sh) runs
# as given.
set -eu

procfile="${WEAVE_PROCFILE:-/app/Procfile}"

if [ "$#" -eq 1 ]; then
    case "$1" in
        *[!a-z0-9_-]* | "") ;;
        *)
            line=$(sed -n "s/^$1:[[:space:]]*//p" "$procfile")
            if [ -n "$line" ]; then
                # exec twice: the process itself becomes PID 1 and receives Swarm's SIGTERM directly.
                exec sh -c "exec $line"
            fi
            ;;
    esac
fi
exec "$@"
