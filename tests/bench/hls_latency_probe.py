#!/usr/bin/env python3
# Latency probe of hls_latency.sh: watches one HLS media playlist and notes the wall-clock time
# each new part (LL-HLS) or segment first appears in it, then reads each one's media to find the
# decode time of its last video frame, and matches that frame to the time the publisher sent it
# (the publisher's --log). Delay = listing time - send time of the part's last video frame.
#   hls_latency_probe.py hub URL SECONDS SENDLOG      blocking reloads (_HLS_msn/_HLS_part)
#   hls_latency_probe.py dir FILE SECONDS SENDLOG     the playlist file polled every 5 ms
# Prints "p50 p90 max count offset_ms" in milliseconds on the last line, after one line per item.
# The media timeline is matched to the publisher's by the first listed item, which starts at the
# publisher's first key frame (offset_ms says how far the server's timestamps were moved).
import bisect
import os
import queue
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request

mode, where, seconds, sendlog = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]


def fetch(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def parse_playlist(text):
    """[(uri, kind)] in playlist order: kind 'part' for EXT-X-PART, 'seg' for segment URIs."""
    items, init = [], None
    for line in text.splitlines():
        if line.startswith("#EXT-X-PART:"):
            uri = line.split('URI="', 1)[1].split('"', 1)[0]
            items.append((uri, "part"))
        elif line.startswith("#EXT-X-MAP:"):
            init = line.split('URI="', 1)[1].split('"', 1)[0]
        elif line and not line.startswith("#"):
            items.append((line.strip(), "seg"))
    return items, init


# --- media parsing: last video decode time (in ms) of an fMP4 part or an MPEG-TS segment ---
def boxes(data, start=0, end=None):
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
            header = 16
        if size < header or pos + size > end:
            return
        yield kind.decode("latin1"), pos + header, pos + size
        pos += size


def init_video_track(data):
    """(track_id, timescale) of the video track of an fMP4 init segment."""
    for kind, s, e in boxes(data):
        if kind != "moov":
            continue
        for k2, s2, e2 in boxes(data, s, e):
            if k2 != "trak":
                continue
            tid, scale, handler = None, None, None
            for k3, s3, e3 in boxes(data, s2, e2):
                if k3 == "tkhd":
                    v = data[s3]
                    tid = struct.unpack(">I", data[s3 + (20 if v == 1 else 12):][:4])[0]
                if k3 == "mdia":
                    for k4, s4, e4 in boxes(data, s3, e3):
                        if k4 == "mdhd":
                            v = data[s4]
                            scale = struct.unpack(">I", data[s4 + (20 if v == 1 else 12):][:4])[0]
                        if k4 == "hdlr":
                            handler = data[s4 + 8:s4 + 12]
            if handler == b"vide":
                return tid, scale
    raise ValueError("no video track in init")


def fmp4_video_dts(data, track):
    """(first, last) video decode times in ms of an fMP4 fragment (one or more moofs)."""
    tid, scale = track
    first, last = None, None
    for kind, s, e in boxes(data):
        if kind != "moof":
            continue
        for k2, s2, e2 in boxes(data, s, e):
            if k2 != "traf":
                continue
            t_id, default_dur, base, durs, count = None, 0, None, [], 0
            for k3, s3, e3 in boxes(data, s2, e2):
                flags = struct.unpack(">I", data[s3:s3 + 4])[0] & 0xFFFFFF
                version = data[s3]
                if k3 == "tfhd":
                    t_id = struct.unpack(">I", data[s3 + 4:s3 + 8])[0]
                    p = s3 + 8
                    if flags & 0x01: p += 8
                    if flags & 0x02: p += 4
                    if flags & 0x08: default_dur = struct.unpack(">I", data[p:p + 4])[0]
                elif k3 == "tfdt":
                    base = struct.unpack(">Q" if version == 1 else ">I", data[s3 + 4:s3 + (12 if version == 1 else 8)])[0]
                elif k3 == "trun":
                    count = struct.unpack(">I", data[s3 + 4:s3 + 8])[0]
                    p = s3 + 8
                    if flags & 0x01: p += 4
                    if flags & 0x04: p += 4
                    per = sum(4 for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit)
                    for i in range(count):
                        q = p + i * per
                        durs.append(struct.unpack(">I", data[q:q + 4])[0] if flags & 0x100 else default_dur)
            if t_id != tid or base is None or count == 0:
                continue
            lo = base * 1000.0 / scale
            hi = (base + sum(durs[:-1])) * 1000.0 / scale
            first = lo if first is None else min(first, lo)
            last = hi if last is None else max(last, hi)
    return first, last


def ts_video_dts(data):
    """(first, last) video decode times in ms of an MPEG-TS segment (PES stream ids 0xE0-0xEF)."""
    first, last = None, None
    for pos in range(0, len(data) - 187, 188):
        pkt = data[pos:pos + 188]
        if pkt[0] != 0x47 or not pkt[1] & 0x40:
            continue
        afc = (pkt[3] >> 4) & 3
        p = 4
        if afc & 2:
            p += 1 + pkt[4]
        if not afc & 1 or p + 14 > 188:
            continue
        if pkt[p:p + 3] != b"\x00\x00\x01" or not 0xE0 <= pkt[p + 3] <= 0xEF:
            continue
        flags = pkt[p + 7] >> 6
        if flags == 0:
            continue
        off = p + 14 if flags == 3 else p + 9  # DTS when present, else PTS
        b = pkt[off:off + 5]
        t = ((b[0] >> 1) & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1
        ms = t / 90.0
        first = ms if first is None else min(first, ms)
        last = ms if last is None else max(last, ms)
    return first, last


# --- watching ---
listed = {}  # uri -> (listing time ns, kind)
order = []
media = {}  # uri -> (first, last) ms
downloads = queue.Queue()


def note(items, now_ns):
    for uri, kind in items:
        if mode == "hub" and kind != "part":
            continue  # LL-HLS: the parts are what is measured (a segment is listed with its last part)
        if uri not in listed:
            listed[uri] = (now_ns, kind)
            order.append(uri)
            downloads.put(uri)


def watch_hub(url):
    deadline = time.time() + seconds + 30
    while time.time() < deadline:
        try:
            text = fetch(url, timeout=2).decode()
            break
        except Exception:
            time.sleep(0.02)
    else:
        sys.exit("no playlist at " + url)
    items, init = parse_playlist(text)
    note(items, None)  # already there when we looked: no listing time
    track_holder[0] = init_video_track(fetch(urllib.parse.urljoin(url, init)))
    end = time.time() + seconds
    while time.time() < end and "#EXT-X-ENDLIST" not in text:
        hint = [l for l in text.splitlines() if l.startswith("#EXT-X-PRELOAD-HINT:")]
        if not hint:
            time.sleep(0.005)
            text = fetch(url).decode()
            continue
        name = hint[0].split('URI="', 1)[1].split('"', 1)[0].rsplit("-", 1)[1]  # <msn>.<part>.m4s
        msn, part = name.split(".")[:2]
        sep = "&" if "?" in url else "?"
        try:
            text = fetch(f"{url}{sep}_HLS_msn={msn}&_HLS_part={part}").decode()
        except Exception:
            text = fetch(url).decode()
        now = time.time_ns()
        note(parse_playlist(text)[0], now)


def watch_dir(path):
    deadline = time.time() + seconds + 30
    text = ""
    while time.time() < deadline and not text:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            time.sleep(0.005)
    end = time.time() + seconds
    last = None
    while time.time() < end:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            text = last or ""
        if text != last:
            note(parse_playlist(text)[0], time.time_ns())
            last = text
        time.sleep(0.005)


def downloader(base, track_holder):
    while True:
        uri = downloads.get()
        if uri is None:
            return
        try:
            if mode == "hub":
                while track_holder[0] is None:
                    time.sleep(0.01)
                data = fetch(urllib.parse.urljoin(base, uri))
                media[uri] = fmp4_video_dts(data, track_holder[0])
            else:
                target = os.path.join(os.path.dirname(base), uri)
                for _ in range(100):  # the file is complete when listed; allow a slow disk
                    if os.path.exists(target):
                        break
                    time.sleep(0.01)
                with open(target, "rb") as f:
                    media[uri] = ts_video_dts(f.read())
        except Exception as e:  # a part that fell out of the window before we read it
            media[uri] = (None, None)
            print(f"# {uri}: {e}", file=sys.stderr)


track_holder = [None]
worker = threading.Thread(target=downloader, args=(where, track_holder), daemon=True)
worker.start()
if mode == "hub":
    watch_hub(where)
else:
    watch_dir(where)
downloads.put(None)
worker.join(timeout=60)

# --- matching ---
sent = {}
first_key = None
with open(sendlog) as f:
    for line in f:
        kind, dts, key, wall = line.split()
        if kind != "v":
            continue
        sent[int(dts)] = int(wall)
        if first_key is None and key == "1":
            first_key = int(dts)
sent_keys = sorted(sent)
first_item = next((u for u in order if media.get(u, (None,))[0] is not None), None)
if first_item is None or first_key is None:
    sys.exit("no media read")
offset = media[first_item][0] - first_key
delays = []
for uri in order:
    t_list, kind = listed[uri]
    lo, hi = media.get(uri, (None, None))
    if t_list is None or hi is None:
        continue
    want = hi - offset
    # The send-log frame nearest to the item's last decode time (ms rounding on both sides).
    i = bisect.bisect_left(sent_keys, want)
    cands = [sent_keys[j] for j in (i - 1, i) if 0 <= j < len(sent_keys)]
    dts = min(cands, key=lambda d: abs(d - want))
    if abs(dts - want) > 5:
        print(f"# {uri}: last frame {want:.0f} ms not in the send log", file=sys.stderr)
        continue
    delay = (t_list - sent[dts]) / 1e6
    delays.append(delay)
    print(f"{kind} {uri.rsplit('/', 1)[-1]} last_dts_ms={dts} delay_ms={delay:.1f}")
delays.sort()
if not delays:
    sys.exit("no item matched")
pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
print(f"{pick(0.5):.1f} {pick(0.9):.1f} {delays[-1]:.1f} {len(delays)} {offset:.0f}")
