#!/usr/bin/env python3
# Health snapshots for ingest_capacity.sh: for each of N streams, the number of the next media
# segment its playlist will list (EXT-X-MEDIA-SEQUENCE + segments listed) and, for the hub,
# whether /api/v1/streams/<name> says live and how many frames it dropped.
#   ingest_health.py hub PORT TOKEN PREFIX N OUT.json     the hub's playlists and stream status
#   ingest_health.py dir DIR PREFIX N OUT.json            nginx-rtmp's playlist files
#   ingest_health.py compare BEFORE.json AFTER.json       "healthy H of N" (playlist advanced
#                                                         by at least 2 segments, live if known)
import concurrent.futures
import json
import sys
import urllib.request


def next_msn(text):
    seq, segs = 0, 0
    for line in text.splitlines():
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            seq = int(line.split(":", 1)[1])
        elif line and not line.startswith("#"):
            segs += 1
    return seq + segs


def hub_one(port, token, name):
    base = f"http://127.0.0.1:{port}"
    out = {"msn": -1, "live": False, "dropped": None}
    try:
        with urllib.request.urlopen(f"{base}/live/{name}/source/index.m3u8", timeout=10) as r:
            out["msn"] = next_msn(r.read().decode())
    except Exception:
        pass
    try:
        req = urllib.request.Request(f"{base}/api/v1/streams/{name}", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            status = json.load(r).get("status", {})
            out["live"] = bool(status.get("live"))
            out["dropped"] = status.get("dropped_frames")
    except Exception:
        pass
    return name, out


def dir_one(path, name):
    try:
        with open(f"{path}/{name}.m3u8") as f:
            return name, {"msn": next_msn(f.read()), "live": None, "dropped": None}
    except OSError:
        return name, {"msn": -1, "live": None, "dropped": None}


mode = sys.argv[1]
if mode == "compare":
    a, b = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
    healthy, bad = 0, []
    for name, after in b.items():
        before = a.get(name, {"msn": -1})
        ok = before["msn"] >= 0 and after["msn"] - before["msn"] >= 2 and after["live"] is not False
        healthy += ok
        if not ok:
            bad.append(f"{name}:{before['msn']}->{after['msn']},live={after['live']}")
    dropped = sum(v["dropped"] or 0 for v in b.values())
    print(f"{healthy} {len(b)} {dropped} {' '.join(bad[:5])}")
    sys.exit(0)

if mode == "hub":
    port, token, prefix, n, out = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
    job = lambda i: hub_one(port, token, f"{prefix}{i}")
else:
    path, prefix, n, out = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    job = lambda i: dir_one(path, f"{prefix}{i}")
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    result = dict(pool.map(job, range(n)))
json.dump(result, open(out, "w"))
