#!/usr/bin/env bash
# Load test of a running Anju server: locust (bench/locustfile.py), headless and bounded, aimed at
# this machine only. Prints each page's 95th percentile, the overall one and the error count; exits
# non-zero when a request failed.
#
#   bench/load.sh [URL]       URL defaults to http://127.0.0.1:8000 (start the server first:
#                             scripts/serve, or scripts/serve --production with ANJU_SECURE_COOKIES=0)
#   ANJU_LOAD_USERS=50 ANJU_LOAD_SPAWN_RATE=2 ANJU_LOAD_TIME=90s   the defaults
#   ANJU_LOAD_ACCOUNTS=a,b,c   accounts to log in with (bench/load_accounts.py creates them on a
#                              generated registry and prints this value)
#
# The per-page table covers the time after every user has arrived (locust --reset-stats); the
# ramp — logins and each user's first requests — is summed up on a line of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${1:-http://127.0.0.1:8000}
case "$host" in
  http://127.0.0.1:* | http://127.0.0.1 | http://localhost:* | http://localhost) ;;
  *) echo "只对本机做负载测试（http://127.0.0.1:端口），不接受：$host" >&2; exit 2 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
ANJU_LOAD_RESULT="$out/browsing.json" .venv/bin/locust -f bench/locustfile.py --headless --only-summary --loglevel WARNING \
  --host "$host" -u "${ANJU_LOAD_USERS:-50}" -r "${ANJU_LOAD_SPAWN_RATE:-2}" \
  -t "${ANJU_LOAD_TIME:-90s}" --stop-timeout 10 --reset-stats --csv "$out/load" \
  >"$out/locust.log" 2>&1 || status=$?
.venv/bin/python - "$out/load_stats.csv" "$out/browsing.json" <<'PY'
import csv
import json
import sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
print(f"{'请求':<48}{'次数':>8}{'失败':>6}{'中位 ms':>9}{'p95 ms':>8}")
for row in rows:
    name = "合计" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
    print(
        f"{name:<48}{row['Request Count']:>8}{row['Failure Count']:>6}"
        f"{row['50%']:>9}{row['95%']:>8}"
    )
total = next(row for row in rows if row["Name"] == "Aggregated")
print(f"到齐后的全部请求：p95 {total['95%']} ms，错误 {total['Failure Count']} 个，共 {total['Request Count']} 个")
browsing = json.load(open(sys.argv[2], encoding="utf-8"))
if browsing["p95_ms"] is None:
    sys.exit("没有浏览请求：登录失败？检查 ANJU_LOAD_ACCOUNTS 与密码")
print(
    f"浏览（全部用户到齐后，不含登录）：p95 {browsing['p95_ms']:.0f} ms，"
    f"错误 {browsing['errors']} 个，共 {browsing['requests']} 个"
)
print(
    f"爬坡（登录与各用户的首批请求）：p95 {browsing['ramp_p95_ms']:.0f} ms，"
    f"错误 {browsing['ramp_errors']} 个，共 {browsing['ramp_requests']} 个"
)
PY
if [ "$status" != 0 ]; then
  echo "» locust 退出状态 $status；出错的请求：" >&2
  cat "$out/load_failures.csv" >&2 || true
  grep -iE "error|exception|traceback" "$out/locust.log" | head -20 >&2 || true
fi
exit "$status"
