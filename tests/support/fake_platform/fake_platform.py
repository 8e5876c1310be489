#!/usr/bin/env python3
"""A fake publishing platform for the CMS tests and benchmarks: it answers the API shapes the
connectors speak (signed webhook, WeChat official account, Weibo, Douyin) on a loopback port
and records every post it receives, so a test can count what arrived per (item, account).

    fake_platform.py --port-file F [--port 0] [--secret S] [--delay-ms 0]

Control routes (JSON): GET /_fake/posts (every receipt, in arrival order), GET /_fake/stats,
POST /_fake/config {"delay_ms", "fail_next", "fail_status", "hang_next", "hang_ms",
"token_ttl", "expire_tokens", "publish_status"}, POST /_fake/reset.
Only ever binds 127.0.0.1.
"""
import argparse
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
STATE = {}


def reset(secret, delay_ms):
    with LOCK:
        STATE.clear()
        STATE.update({
            "secret": secret, "delay_ms": delay_ms, "fail_next": 0, "fail_status": 503,
            "hang_next": 0, "hang_ms": 5000, "token_ttl": 7200, "publish_status": 0,
            "receipts": [], "by_key": {}, "tokens": {}, "token_fetches": 0, "seq": 0,
            "drafts": {}, "publishes": {}, "requests": 0, "bad_signatures": 0,
        })


def next_id(prefix):
    STATE["seq"] += 1
    return "%s%d" % (prefix, STATE["seq"])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: tests read /_fake/posts instead
        pass

    def reply(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # Faults and latency apply to the platform routes, not to /_fake.
    def faults(self):
        with LOCK:
            STATE["requests"] += 1
            delay = STATE["delay_ms"]
            hang = STATE["hang_next"] > 0
            if hang:
                STATE["hang_next"] -= 1
            fail = 0
            if not hang and STATE["fail_next"] > 0:
                STATE["fail_next"] -= 1
                fail = STATE["fail_status"]
            hang_ms = STATE["hang_ms"]
        if delay:
            time.sleep(delay / 1000.0)
        return fail, (hang_ms if hang else 0)

    def record(self, kind, key, item_id, account_id, extra=None):
        """Stores a receipt; returns (remote id, first time for this key)."""
        with LOCK:
            entry = {"kind": kind, "key": key, "item_id": item_id, "account_id": account_id,
                     "at": time.time()}
            if extra:
                entry.update(extra)
            STATE["receipts"].append(entry)
            known = STATE["by_key"].get(key) if key else None
            if known:
                return known["id"], False
            rid = next_id(kind + "-")
            entry["id"] = rid
            if key:
                STATE["by_key"][key] = entry
            return rid, True

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        raw = self.body() if method == "POST" else b""
        path = url.path
        if path.startswith("/_fake/"):
            return self.control(method, path, raw)
        fail, hang_ms = self.faults()
        if path.startswith("/hook"):
            return self.webhook(method, path, q, raw, fail, hang_ms)
        if fail:
            return self.reply(fail, {"error": "injected failure"})
        if path.startswith("/cgi-bin/"):
            return self.wechat(path[len("/cgi-bin/"):], q, raw, hang_ms)
        if path.startswith("/2/statuses/"):
            return self.weibo(path, q, raw, hang_ms)
        if path.startswith("/api/douyin/v1/video/"):
            return self.douyin(path, q, raw, hang_ms)
        self.reply(404, {"error": "no such route"})

    def control(self, method, path, raw):
        if path == "/_fake/posts":
            with LOCK:
                return self.reply(200, {"posts": STATE["receipts"]})
        if path == "/_fake/stats":
            with LOCK:
                return self.reply(200, {k: STATE[k] for k in ("token_fetches", "requests", "bad_signatures")})
        if path == "/_fake/reset" and method == "POST":
            reset(STATE["secret"], STATE["delay_ms"])
            return self.reply(200, {})
        if path == "/_fake/config" and method == "POST":
            cfg = json.loads(raw or b"{}")
            with LOCK:
                for k, v in cfg.items():
                    if k == "expire_tokens":
                        STATE["tokens"].clear()
                    elif k in STATE:
                        STATE[k] = v
            return self.reply(200, {})
        self.reply(404, {})

    # --- signed webhook -------------------------------------------------------------------
    def webhook(self, method, path, q, raw, fail, hang_ms):
        secret = STATE["secret"].encode()
        if method == "GET" and path.endswith("/lookup"):
            with LOCK:
                hit = STATE["by_key"].get(q.get("idempotency_key", ""))
            if fail:
                return self.reply(fail, {"error": "injected failure"})
            return self.reply(200, {"id": hit["id"]}) if hit else self.reply(404, {"error": "not found"})
        sig = self.headers.get("X-Hub-Signature", "")
        ts = self.headers.get("X-Hub-Timestamp", "")
        tsig = self.headers.get("X-Hub-Signature-Timestamped", "")
        want = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
        want_ts = "sha256=" + hmac.new(secret, ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, want) or not hmac.compare_digest(tsig, want_ts):
            with LOCK:
                STATE["bad_signatures"] += 1
            return self.reply(401, {"error": "bad signature"})
        try:
            skew = abs(time.time() - int(ts))
        except ValueError:
            skew = 1e9
        if skew > 300:
            return self.reply(401, {"error": "stale timestamp"})
        if fail:
            return self.reply(fail, {"error": "injected failure"})
        doc = json.loads(raw)
        rid, _ = self.record("webhook", self.headers.get("Idempotency-Key", ""), doc.get("item_id"),
                             doc.get("account_id"), {"title": doc.get("variant", {}).get("title", "")})
        if hang_ms:  # took it, then answers too late: the sender sees a timeout
            time.sleep(hang_ms / 1000.0)
        self.reply(200, {"id": rid})

    # --- WeChat official account ------------------------------------------------------------
    def wechat_token_ok(self, q):
        with LOCK:
            exp = STATE["tokens"].get(q.get("access_token", ""))
        return exp is not None and exp > time.time()

    def wechat(self, api, q, raw, hang_ms):
        if api == "token":
            if not q.get("appid") or q.get("secret") in (None, "", "wrong"):
                return self.reply(200, {"errcode": 40013, "errmsg": "invalid appid"})
            with LOCK:
                STATE["token_fetches"] += 1
                tok = "tok-%s-%d" % (q["appid"], STATE["token_fetches"])
                STATE["tokens"][tok] = time.time() + STATE["token_ttl"]
                ttl = STATE["token_ttl"]
            return self.reply(200, {"access_token": tok, "expires_in": ttl})
        if not self.wechat_token_ok(q):
            return self.reply(200, {"errcode": 40001, "errmsg": "invalid credential"})
        doc = json.loads(raw or b"{}")
        if api == "draft/add":
            with LOCK:
                mid = next_id("draft-")
                STATE["drafts"][mid] = doc["articles"][0]
            return self.reply(200, {"media_id": mid})
        if api == "freepublish/submit":
            with LOCK:
                draft = STATE["drafts"].get(doc.get("media_id"))
            if draft is None:
                return self.reply(200, {"errcode": 40007, "errmsg": "invalid media_id"})
            rid, _ = self.record("wechat", doc["media_id"], None, q.get("access_token", "").split("-")[1],
                                 {"title": draft.get("title", "")})
            with LOCK:
                pid = next_id("pub-")
                STATE["publishes"][pid] = {"article_id": rid, "title": draft.get("title", ""),
                                           "status": STATE["publish_status"]}
            if hang_ms:
                time.sleep(hang_ms / 1000.0)
            return self.reply(200, {"errcode": 0, "errmsg": "ok", "publish_id": pid})
        if api == "freepublish/get":
            with LOCK:
                p = STATE["publishes"].get(str(doc.get("publish_id")))
            if p is None:
                return self.reply(200, {"errcode": 48001, "errmsg": "no such publish"})
            out = {"publish_id": doc["publish_id"], "publish_status": p["status"], "fail_idx": []}
            if p["status"] == 0:
                out["article_id"] = p["article_id"]
            return self.reply(200, out)
        if api == "freepublish/batchget":
            with LOCK:
                items = [{"article_id": p["article_id"], "content": {"news_item": [{"title": p["title"]}]}}
                         for p in STATE["publishes"].values() if p["status"] == 0]
            return self.reply(200, {"total_count": len(items), "item_count": len(items), "item": items})
        self.reply(404, {"errcode": 404, "errmsg": "unknown api"})

    # --- Weibo ----------------------------------------------------------------------------------
    def weibo(self, path, q, raw, hang_ms):
        if path == "/2/statuses/share.json":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if not form.get("access_token"):
                return self.reply(403, {"error_code": 21332, "error": "invalid_access_token"})
            text = form.get("status", "")
            with LOCK:
                dup = any(r["kind"] == "weibo" and r.get("text") == text for r in STATE["receipts"])
            if dup:
                return self.reply(400, {"error_code": 20019, "error": "repeat content"})
            rid, _ = self.record("weibo", None, None, form["access_token"], {"text": text})
            if hang_ms:
                time.sleep(hang_ms / 1000.0)
            return self.reply(200, {"id": int(rid.split("-")[1]), "idstr": rid.split("-")[1], "text": text})
        if path == "/2/statuses/user_timeline.json":
            with LOCK:
                sts = [{"idstr": r["id"].split("-")[1], "text": r["text"]} for r in STATE["receipts"]
                       if r["kind"] == "weibo" and r["account_id"] == q.get("access_token") and "id" in r]
            return self.reply(200, {"statuses": sts})
        self.reply(404, {"error_code": 10014, "error": "unknown api"})

    # --- Douyin ---------------------------------------------------------------------------------
    def douyin(self, path, q, raw, hang_ms):
        token = self.headers.get("access-token", "")
        if not token:
            return self.reply(200, {"data": {"error_code": 2190008, "description": "access_token expired"}})
        api = path[len("/api/douyin/v1/video/"):].strip("/")
        if api == "upload_video":
            with LOCK:
                vid = next_id("v-")
            return self.reply(200, {"data": {"error_code": 0, "video": {"video_id": vid}}})
        if api == "create_video":
            doc = json.loads(raw or b"{}")
            rid, _ = self.record("douyin", None, None, q.get("open_id"), {"title": doc.get("text", "")})
            if hang_ms:
                time.sleep(hang_ms / 1000.0)
            return self.reply(200, {"data": {"error_code": 0, "description": "", "item_id": rid}})
        if api == "video_list":
            with LOCK:
                lst = [{"item_id": r["id"], "title": r["title"]} for r in STATE["receipts"]
                       if r["kind"] == "douyin" and r["account_id"] == q.get("open_id") and "id" in r]
            return self.reply(200, {"data": {"error_code": 0, "list": lst, "has_more": False, "cursor": 0}})
        self.reply(404, {"data": {"error_code": 404, "description": "unknown api"}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--secret", default="fake-platform-secret")
    ap.add_argument("--delay-ms", type=int, default=0)
    a = ap.parse_args()
    reset(a.secret, a.delay_ms)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 1024
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
