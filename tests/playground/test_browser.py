"""The playground in a real browser (Chromium through chromedriver's WebDriver protocol): two people
enrol through the page, the organizer forms a group and links a Telegram group, both join it
through their links, the clock moves a day and each reads the session reminder in their language.

Needs Debian's chromium and chromium-driver (`apt-get install -y chromium chromium-driver`; .ci/run
installs them when apt is available); skipped with that message otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
import subprocess
import time

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="no browser: apt-get install -y chromium chromium-driver (.ci/run does when apt is available)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Just enough WebDriver: open a page, find, click, type, run a script, wait."""

    def __init__(self, http: httpx.AsyncClient, session: str) -> None:
        self.http = http
        self.session = session

    async def call(self, method: str, path: str, body: dict | None = None):
        answer = await self.http.request(method, f"/session/{self.session}{path}", json=body)
        value = answer.json()["value"]
        if answer.status_code != 200:
            raise RuntimeError(f"WebDriver {path}: {value.get('message', value)}")
        return value

    async def js(self, script: str, *args):
        return await self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    async def wait(self, script: str, *args, timeout: float = 20.0):  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while True:
            value = await self.js(script, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed: {script}")
            await asyncio.sleep(0.05)

    async def idle(self) -> None:
        await self.wait("return !document.body.classList.contains('busy')")

    async def click(self, css: str) -> None:
        """Click the last element matching ``css`` (the page redraws, so find it fresh)."""
        await self.idle()
        for _ in range(20):
            found = await self.call("POST", "/elements", {"using": "css selector", "value": css})
            if found:
                try:
                    await self.call("POST", f"/element/{found[-1][ELEMENT]}/click", {})
                    return
                except RuntimeError as error:
                    if "stale" not in str(error):
                        raise
            await asyncio.sleep(0.1)
        raise AssertionError(f"nothing to click at {css}")

    async def type(self, css: str, text: str) -> None:
        await self.idle()
        found = await self.call("POST", "/element", {"using": "css selector", "value": css})
        await self.call("POST", f"/element/{found[ELEMENT]}/value", {"text": text})

    async def last_message(self) -> dict:
        return await self.js(
            """const all = document.querySelectorAll('#messages .msg');
            const m = all[all.length - 1];
            if (!m) return {id: null, whole: '', text: '', buttons: []};
            return {id: m.dataset.id, whole: m.innerText, text: (m.querySelector('.text') || m).innerText,
                    buttons: [...m.querySelectorAll('.kb button')].map(b => b.innerText)};"""
        )


@contextlib.asynccontextmanager
async def chromium(tmp_path):
    port = _free_port()
    driver = subprocess.Popen(  # noqa: ASYNC220 - started once, never waited on in the loop
        [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/status")).json()["value"]["ready"]:
                        break
                await asyncio.sleep(0.1)
            options = {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    f"--user-data-dir={tmp_path / 'profile'}",
                    "--window-size=1280,1000",
                ],
            }
            answer = await http.post(
                "/session",
                json={"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}},
            )
            session = answer.json()["value"]["sessionId"]
            try:
                yield Browser(http, session)
            finally:
                with contextlib.suppress(httpx.HTTPError):
                    await http.delete(f"/session/{session}")
    finally:
        driver.terminate()
        driver.wait(10)


async def enrol(browser: Browser, name: str) -> None:
    await browser.click(f'#cast li[data-person="{name}"]')
    await browser.click(f'button[data-invite="{name}"]')
    await browser.wait("return document.querySelectorAll('#messages .msg').length >= 2")
    for _ in range(15):
        await browser.idle()
        last = await browser.last_message()
        if not last["buttons"]:
            return
        await browser.click("#messages .msg:last-child .kb .row:first-child button:first-child")
        # The answer is a new message, or the question edited in place.
        await browser.wait(
            "const all = document.querySelectorAll('#messages .msg');"
            "const m = all[all.length - 1];"
            "return m && (m.dataset.id + m.innerText) !== arguments[0];",
            last["id"] + last["whole"],
        )
    raise AssertionError(f"{name}'s enrolment did not end")


async def say(browser: Browser, text: str) -> None:
    before = await browser.js("return document.querySelectorAll('#messages .msg').length")
    await browser.type("#text", text + "\n")
    await browser.wait(
        "return document.querySelectorAll('#messages .msg').length > arguments[0]", before
    )
    await browser.idle()


async def test_two_people_enrol_meet_in_a_group_and_read_their_reminders(served, tmp_path):
    url, _host = served
    started = time.monotonic()
    async with chromium(tmp_path) as browser:
        await browser.call("POST", "/url", {"url": url + "/"})
        await browser.wait("return document.querySelectorAll('#cast li').length === 5")
        for name in ("Ani", "Elvin"):
            await enrol(browser, name)

        await browser.click('#cast li[data-person="Olga"]')
        await say(browser, "/formgroups 2-6")
        last = await browser.last_message()
        assert "Confirm" in " ".join(last["buttons"]), last
        await browser.click("#messages .msg:last-child .kb button:last-child")  # ✅ Confirm
        created = await browser.wait(
            "const t = document.querySelector('#messages .msg:last-child .text');"
            "return t && /code [A-Z0-9]+/.test(t.innerText) && t.innerText;"
        )
        code = re.search(r"code ([A-Z0-9]+)", created).group(1)
        await browser.type("#group-title", "Bridge 1\n")
        await browser.wait(
            "return !!document.querySelector('#chats button[data-chat=\"Bridge 1\"]')"
        )
        await browser.click('#chats button[data-chat="Bridge 1"]')
        await say(browser, f"/link {code}")

        for name in ("Ani", "Elvin"):
            await browser.click(f'#cast li[data-person="{name}"]')
            await browser.click('#messages .msg:last-child a.tg-link[href^="https://t.me/+"]')
            await browser.click('#chats button[data-chat="Bridge 1"]')
            await browser.wait(
                "return document.querySelector('#members').innerText.includes(arguments[0] + ' (member)')",
                name,
            )

        await browser.click('button[data-advance="1d"]')
        await browser.wait("return document.querySelector('#clock').innerText.includes('03-10')")
        seen = {}
        for name in ("Ani", "Elvin"):
            await browser.click(f'#cast li[data-person="{name}"]')
            seen[name] = await browser.wait(
                "return [...document.querySelectorAll('#messages .msg .text')]"
                ".map(t => t.innerText).filter(t => t.startsWith('⏰')).join('\\n');"
            )
        direction = await browser.js(
            "const t = [...document.querySelectorAll('#messages .msg .text')].pop();"
            "return getComputedStyle(t).unicodeBidi;"
        )
    assert "Listening circle" in seen["Ani"] and re.search(r"[\u0531-\u058a]", seen["Ani"])
    assert "Listening circle" in seen["Elvin"] and "ə" in seen["Elvin"]
    assert direction == "plaintext"  # each paragraph takes its own direction (Arabic, Hebrew)
    print(f"browser scenario took {time.monotonic() - started:.1f} s")
