"""`bridgebot playground` as a person starts it: no token, no network, a URL on 127.0.0.1 printed,
a named folder that keeps the scenario and replays it on the next start."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(folder: Path) -> tuple[subprocess.Popen, str, float]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BRIDGEBOT_", "DATABASE_URL"))
    }
    env["PYTHONPATH"] = str(ROOT)
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "playground", "--port", "0", "--folder", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, f"no URL printed: {line!r}"
    return process, match.group(0), time.monotonic() - began


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def _ani(state: dict) -> list[str]:
    chat = next(c for c in state["chats"] if c.get("person") == "Ani")
    return [m["text"] for m in chat["messages"]]


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(30)


def test_playground_prints_its_url_keeps_a_named_folder_and_replays_it(tmp_path):
    folder = tmp_path / "rehearsal"
    process, url, seconds = _start(folder)
    try:
        assert seconds < 30
        print(f"playground answered with its URL after {seconds:.2f} s")
        state = _post(url + "api/act", {"who": "Ani", "open": "invite"})["state"]
        first = _ani(state)
        assert first[0].startswith("/start join_") and len(first) == 2
    finally:
        assert _stop(process) == 0
    saved = (folder / "scenario.toml").read_text(encoding="utf-8")
    assert 'who = "Ani"' in saved and 'open = "invite"' in saved

    process, url, _ = _start(folder)
    try:
        again = _ani(_get(url + "api/state"))
        assert len(again) == 2 and again[1] == first[1]  # replayed into a fresh database
    finally:
        assert _stop(process) == 0
