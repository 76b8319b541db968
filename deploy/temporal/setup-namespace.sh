#!/bin/sh
# Creates the bot's namespace, with its retention, and the search attributes the bot sets on every
# run (shared/searchAttributes.ts), once the Temporal frontend answers. One code path for both
# deployments: compose's temporal-setup service runs it (with the admin-tools image's temporal CLI),
# and so does `npm run cluster` (with .tools/bin/temporal). Safe to run again: an existing namespace
# is kept, and creating an attribute that exists with the same type succeeds (another type fails,
# and so does this script). The temporal CLI reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE.
set -eu
: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS (host:port of the frontend)}"
: "${TEMPORAL_NAMESPACE:?set TEMPORAL_NAMESPACE}"
: "${NAMESPACE_RETENTION:?set NAMESPACE_RETENTION (e.g. 168h)}"

wait_for() { # wait_for WHAT COMMAND...: retries for up to 2 minutes
  what="$1"
  shift
  tries=0
  until "$@" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 120 ]; then
      echo "$what at $TEMPORAL_ADDRESS after 2 minutes" >&2
      exit 1
    fi
    sleep 1
  done
}

wait_for "no Temporal frontend" temporal operator cluster health
if ! temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  # Another run of this script may create it meanwhile: what matters is that it exists after.
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$NAMESPACE_RETENTION" ||
    temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null
fi
# A new namespace reaches every frontend within seconds.
wait_for "namespace $TEMPORAL_NAMESPACE not found" temporal operator search-attribute list

temporal operator search-attribute create --name ChatId --type Int
temporal operator search-attribute create --name MediaHost --type Keyword
temporal operator search-attribute create --name RequestOutcome --type Keyword
temporal operator search-attribute create --name FailureType --type Keyword
temporal operator search-attribute list
