"""SMTP client for bench/sink.ts: Python's smtplib, 4 threads, one connection each, kept open per port.

Reads "PORT N" lines on stdin, sends N 4 KB messages to 127.0.0.1:PORT spread over the 4 threads
and answers the elapsed seconds on stdout. Loopback only; exits at the end of its input.
"""
import smtplib
import sys
import threading
import time

THREADS = 4
BODY = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 70)[:4000]
connections = {}


def message(i):
    return (
        "From: bench@example.com\r\nTo: sink@example.com\r\n"
        f"Subject: sink bench {i}\r\nMessage-ID: <py-{time.time_ns()}-{i}@bench.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + BODY + "\r\n"
    ).encode()


def connection(port, slot):
    key = (port, slot)
    if key not in connections:
        connections[key] = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.example")
    return connections[key]


def send(port, n):
    lock = threading.Lock()
    counter = [0]
    failures = []

    def worker(slot):
        smtp = connection(port, slot)
        while True:
            with lock:
                i = counter[0]
                if i >= n:
                    return
                counter[0] += 1
            try:
                smtp.sendmail("bench@example.com", ["sink@example.com"], message(i))
            except (smtplib.SMTPException, OSError) as err:
                failures.append(err)
                return

    for slot in range(THREADS):
        connection(port, slot)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(s,)) for s in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"smtplib client: {failures[0]!r}")
    return time.perf_counter() - t0


for line in sys.stdin:
    port, n = (int(x) for x in line.split())
    print(f"{send(port, n):.6f}", flush=True)
for smtp in connections.values():
    try:
        smtp.quit()
    except smtplib.SMTPException:
        pass
