#!/bin/sh
# The REST API with nothing but curl and a token (docs/api.md): create a topology, import the
# demo, start a check, poll it to the end, read the ClusterIP matrix, export the YAML, and see
# a stale If-Match answered 412 with the change that made it stale.
#
#   KUBENET_URL=http://127.0.0.1:8000 KUBENET_TOKEN=<key> KUBENET_TEAM=default OUT=/tmp/walk \
#       sh docs/api-walkthrough.sh demo/demo.yaml
# (a token: `python manage.py drf_create_token USER`, or /account/token/ in the browser)
set -eu
URL=${KUBENET_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Token ${KUBENET_TOKEN:?set KUBENET_TOKEN}"
TEAM=${KUBENET_TEAM:-default}
NAME=${KUBENET_TOPOLOGY:-walkthrough}
OUT=${OUT:-./walkthrough}
MANIFESTS=${1:-demo/demo.yaml}
mkdir -p "$OUT"

field() {  # field NAME FILE: the first "NAME": value of a JSON answer (a string or a number)
  sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1
}
header() {  # header NAME FILE: one header of a `curl -D` dump
  tr -d '\r' <"$2" | sed -n "s/^$1: *//Ip" | head -n 1
}

echo "1. create the topology $TEAM/$NAME"
curl -sS -f -D "$OUT/create.headers" -o "$OUT/create.json" -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"name\": \"$NAME\", \"team\": \"$TEAM\"}" "$URL/api/v1/topologies/"
TOPOLOGY="$URL$(header Location "$OUT/create.headers")"
echo "   $TOPOLOGY"

echo "2. import $MANIFESTS"
curl -sS -f -o "$OUT/import.json" -H "$AUTH" -H 'Content-Type: application/yaml' \
  --data-binary @"$MANIFESTS" "${TOPOLOGY}import/"
echo "   revision $(field revision "$OUT/import.json")"

echo "3. start a check run"
curl -sS -f -D "$OUT/run.headers" -o "$OUT/run.json" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{}' "${TOPOLOGY}runs/"
RUN="$URL$(header Location "$OUT/run.headers")"
echo "   $RUN"

echo "4. poll it to the end"
i=0
while :; do
  curl -sS -f -o "$OUT/run.json" -H "$AUTH" "$RUN"
  STATUS=$(field status "$OUT/run.json")
  case "$STATUS" in succeeded|failed|cancelled) break ;; esac
  i=$((i + 1))
  [ "$i" -lt 600 ] || { echo "   still $STATUS after 120 s" >&2; exit 1; }
  sleep 0.2
done
echo "   $STATUS"

echo "5. the ClusterIP matrix"
curl -sS -f -o "$OUT/matrix.json" -H "$AUTH" "${TOPOLOGY}matrices/clusterip/"
echo "   $(field totalRows "$OUT/matrix.json") rows, from run $(field run "$OUT/matrix.json")"

echo "6. export the YAML"
curl -sS -f -o "$OUT/export.yaml" -H "$AUTH" "${TOPOLOGY}export/"
echo "   $(grep -c '^kind:' "$OUT/export.yaml") objects"

echo "7. a stale If-Match"
SERVICE="${TOPOLOGY}services/kube-system/kube-dns/"
curl -sS -f -D "$OUT/get.headers" -o /dev/null -H "$AUTH" "$SERVICE"
ETAG=$(header ETag "$OUT/get.headers")
curl -sS -f -o "$OUT/patch.json" -X PATCH -H "$AUTH" -H "If-Match: $ETAG" \
  -H 'Content-Type: application/merge-patch+json' -d '{"metadata": {"labels": {"walkthrough": "yes"}}}' "$SERVICE"
CODE=$(curl -sS -o "$OUT/stale.json" -w '%{http_code}' -X PATCH -H "$AUTH" -H "If-Match: $ETAG" \
  -H 'Content-Type: application/merge-patch+json' -d '{"metadata": {"labels": {"walkthrough": "no"}}}' "$SERVICE")
echo "   $CODE: $(field object "$OUT/stale.json") changed at revision $(field revision "$OUT/stale.json")"
[ "$CODE" = 412 ]
