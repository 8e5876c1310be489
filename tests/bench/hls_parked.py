#!/usr/bin/env python3
# Holds N blocking-reload requests (_HLS_msn/_HLS_part of a part not cut yet) on N connections,
# checks that none is answered while the stream is paused, resumes the stream, and reports how
# many were answered 200 and how long after the resume. Used by hls_delivery.sh.
#   hls_parked.py PORT PATH N
import asyncio
import sys
import time

port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])


async def one(results, opened):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    await writer.drain()
    opened.append(1)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length)
    results.append((status, time.monotonic(), b"#EXT-X-PART" in body))
    writer.close()


async def resume():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /bench/resume HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    writer.close()


async def main():
    results, opened = [], []
    tasks = []
    t_start = time.monotonic()
    for i in range(count):
        tasks.append(asyncio.create_task(one(results, opened)))
        if i % 500 == 499:
            await asyncio.sleep(0.05)
    while len(opened) < count:
        await asyncio.sleep(0.05)
    t_open = time.monotonic() - t_start
    await asyncio.sleep(1.0)
    early = len(results)
    early_status = {}
    for s, _, _ in results:
        early_status[s] = early_status.get(s, 0) + 1
    t0 = time.monotonic()
    await resume()
    done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
    errors = {}
    for d in done:
        if isinstance(d, BaseException):
            errors[type(d).__name__] = errors.get(type(d).__name__, 0) + 1
    ok = sum(1 for s, _, part in results if s == 200 and part)
    lat = sorted((t - t0) * 1000 for s, t, _ in results)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
    print(f"parked={count} answered_before_resume={early} answered_200={ok} "
          f"(statuses {early_status}) open_s={t_open:.1f} errors={errors} after_resume_ms p50={p(0.5):.0f} p99={p(0.99):.0f} max={lat[-1] if lat else float('nan'):.0f}")


asyncio.run(main())
