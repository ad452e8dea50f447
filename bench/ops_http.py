"""The real `bridgebot run` process with its HTTP listener, against the fake Bot API over HTTP:
how long from spawning the process until /healthz answers and until /readyz says ready, how long a
/metrics scrape and a /readyz take (median and 95th percentile over --scrapes), and the size of
the exposition after some traffic. Also, per log format, how long 200 /start updates take to be
answered (JSON logs and the redaction filter against the text format).

    .venv/bin/python bench/ops_http.py [--scrapes 200] [--updates 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.playground.fake_api.driver import TgDriver  # noqa: E402
from bot.playground.fake_api.fake_http import FakeBotApiServer  # noqa: E402
from bot.playground.fake_api.fake_telegram import FakeTelegram  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def spawn(env: dict[str, str], folder: Path):
    log = (folder / "bot.log").open("wb")
    argv = [sys.executable, "-m", "bot", "run"]
    return subprocess.Popen(argv, cwd=folder, env=env, stdout=log, stderr=log), log


async def run(log_format: str, scrapes: int, updates: int) -> None:
    fake = FakeTelegram()
    with FakeBotApiServer(fake) as server, tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIDGEBOT_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{folder}/bridgebot.db",
            BRIDGEBOT_SECRET="bench-secret-0123456789abcdef",
            BRIDGEBOT_HTTP_LISTEN=f"127.0.0.1:{port}",
            BRIDGEBOT_LOG_FORMAT=log_format,
            PYTHONPATH=str(ROOT),
        )
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        process, log = spawn(env, Path(folder))
        alive = ready = None
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                while ready is None:
                    try:
                        answer = await client.get(f"{base}/readyz")
                        alive = alive or time.perf_counter() - started
                        if answer.status_code == 200:
                            ready = time.perf_counter() - started
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.02)
                print(
                    f"[{log_format}] start: /healthz after {alive:.2f} s, ready after {ready:.2f} s"
                )

                tg = TgDriver(fake, mode="queue", delivery_timeout=60)
                people = [fake.user(f"P{n}") for n in range(updates)]
                begun = time.perf_counter()
                for person in people:
                    await tg.start(person)
                await tg.wait_for(
                    lambda: all(fake.last_text(fake.private(p)) for p in people), timeout=120
                )
                took = time.perf_counter() - begun
                print(f"[{log_format}] {updates} /start answered in {took:.2f} s")

                for path in ("/metrics", "/readyz"):
                    times = []
                    size = 0
                    for _ in range(scrapes):
                        t0 = time.perf_counter()
                        answer = await client.get(base + path)
                        times.append(time.perf_counter() - t0)
                        size = len(answer.content)
                    print(f"[{log_format}] {path}: {quantiles(times)}, {size} bytes")
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores")
    for log_format in ("text", "json"):
        asyncio.run(run(log_format, args.scrapes, args.updates))


if __name__ == "__main__":
    main()
