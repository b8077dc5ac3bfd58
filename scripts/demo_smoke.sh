#!/usr/bin/env bash
# What `make demo` does, on a throw-away database, checked from the outside: the demo county
# loads, the server starts, and the home page answers in Chinese (zh-hans).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
export DATABASE_URL="sqlite:///$work/demo.sqlite3" DAODI_VAR_DIR="$work"
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/daodi migrate -v0
.venv/bin/daodi demo --if-empty > "$work/demo.out"
grep -q "daodi-demo-2026" "$work/demo.out" || { echo "demo: no logins printed"; cat "$work/demo.out"; exit 1; }
.venv/bin/daodi runserver "127.0.0.1:$port" --noreload > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/" -o "$work/home.html" 2>/dev/null && break
  sleep 0.2
done
grep -q '<html lang="zh-hans"' "$work/home.html" || { echo "demo: home page is not zh-hans"; head -c 600 "$work/home.html"; exit 1; }
grep -q "道地" "$work/home.html" || { echo "demo: home page lacks the Chinese title"; exit 1; }
# DEBUG is off by default: the static files still come (WhiteNoise), and a missing page is ours.
curl -fsS "http://127.0.0.1:$port/static/vendor/bootstrap-5.3.8.min.css" -o /dev/null \
  || { echo "demo: static files are not served"; exit 1; }
code=$(curl -s -o "$work/404.html" -w "%{http_code}" "http://127.0.0.1:$port/no-such-page/")
[ "$code" = 404 ] && ! grep -q "Traceback\|DEBUG = True" "$work/404.html" \
  || { echo "demo: a missing page answers $code or shows debug output"; exit 1; }
echo "demo smoke: the demo county loads and http://127.0.0.1:$port/ serves the zh-hans home page"
