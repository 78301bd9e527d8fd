#!/bin/sh
# An offline terminal (SQLite store) syncs with the shared store (a real PostgreSQL from
# tests/harness/with-postgres) through hcard sync: its journal arrives once however often it
# syncs (no duplicates), and a card reported lost at the central desk is refused by the
# terminal after the next sync. Card flows through pcscd and hcard-sim.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"
[ -n "${HCARD_PG_URI:-}" ] || exec "$top_srcdir/tests/harness/with-postgres" "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233
central="--store $HCARD_PG_URI"

step "offline terminal: issue, register, charge (journal on SQLite only)"
expect 0 hcard issue "$data/zhangsan.json"
expect 0 hcard register
expect 0 hcard charge 10.00 --fund 4.00
expect 0 hcard --json journal --card $card --limit 100
local_n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$T/out")
[ "$local_n" -ge 4 ] || fail "only $local_n local entries"
expect 0 hcard $central --json journal --card $card
python3_check 'len(d["entries"]) == 0'

step "the shared store is unreachable: nothing lost, exit 6"
expect 6 hcard --json sync "postgresql://nobody@/none?host=/nonexistent-hcard"
jq_is '"error"' HC_ERR_STORE_UNREACHABLE

step "sync: the journal arrives once"
expect 0 hcard --json sync "$HCARD_PG_URI"
jq_is '"journal_pushed"' "$local_n"
expect 0 hcard --json sync "$HCARD_PG_URI"
jq_is '"journal_pushed"' 0
expect 0 hcard $central --json journal --card $card --limit 100
python3_check "len(d['entries']) == $local_n"
python3_check 'len(set(e["entry_id"] for e in d["entries"])) == len(d["entries"])'
python3_check 'any(e["kind"] == "charge" and "\"fund\":400" in e["detail"] for e in d["entries"])'

step "lost at the central desk: the terminal refuses the card after its next sync"
expect 0 hcard $central lost report $card 0000000001
expect 0 hcard register                     # the terminal does not know yet
expect 0 hcard --json sync "$HCARD_PG_URI"
jq_is '"blacklist_pulled"' 1
jq_is '"journal_pushed"' 1
expect 2 hcard --json register
jq_is '"error"' HC_ERR_BLACKLISTED
expect 0 hcard --json sync "$HCARD_PG_URI"
expect 0 hcard $central --json journal --card $card --limit 100
python3_check 'any(e["kind"] == "refused" for e in d["entries"])'
python3_check 'len(set(e["entry_id"] for e in d["entries"])) == len(d["entries"])'

echo "ok: test_flow_sync"
