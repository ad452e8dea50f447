"""The playground's JSON API: the page's every action, answered once the real bot has handled it."""

from __future__ import annotations

import asyncio
import re
import tomllib

from tests.playground.conftest import group, private


async def act(client, **step) -> dict:
    answer = await client.post("/api/act", json=step)
    assert answer.status_code == 200, answer.text
    return answer.json()["state"]


async def enrol(client, name: str) -> dict:
    """Open the invite link, then press the first button of each question until none is left."""
    state = await act(client, who=name, open="invite")
    for _ in range(15):
        last = private(state, name)["messages"][-1]
        if not last["buttons"]:
            return state
        state = await act(
            client,
            who=name,
            chat="private",
            message=last["id"],
            press=last["buttons"][0][0]["text"],
        )
    raise AssertionError("enrolment did not end")


async def test_the_page_and_the_ready_cast(client) -> None:
    page = await client.get("/")
    assert page.status_code == 200 and "Bridgebot playground" in page.text
    assert (await client.get("/static/app.js")).status_code == 200
    state = (await client.get("/api/state")).json()
    cast = {p["name"]: p for p in state["cast"]}
    assert [p["role"] for p in state["cast"]].count("participant") == 3
    assert {cast["Ani"]["side"], cast["Elvin"]["side"]} == {"Armenia", "Azerbaijan"}
    assert cast["Ani"]["language"] != cast["Elvin"]["language"]
    assert state["clock_local"] == "Mon 2026-03-09 10:00"
    assert state["program"]["name"] == "Spring Exchange"


async def test_the_invite_link_greets_in_the_persons_language(client) -> None:
    state = await act(client, who="Layla", open="invite")
    welcome = private(state, "Layla")["messages"][-1]
    assert welcome["from_bot"]
    assert welcome["text"].startswith("مرحبًا") and "Spring Exchange" in welcome["text"]
    assert any("العربية" in b["text"] for row in welcome["buttons"] for b in row)


async def test_a_group_is_formed_linked_and_joined_and_the_clock_brings_reminders(client) -> None:
    for name in ("Ani", "Elvin"):
        await enrol(client, name)
    await act(client, who="Olga", chat="private", say="/formgroups 2-6")
    state = await act(client, who="Olga", chat="private", press="Confirm")
    code = re.search(r"code (\w+)", private(state, "Olga")["messages"][-1]["text"]).group(1)
    await act(client, who="Olga", new_group="Bridge 1")
    state = await act(client, who="Olga", chat="Bridge 1", say=f"/link {code}")
    for name in ("Ani", "Elvin"):
        text = private(state, name)["messages"][-1]["text"]
        state = await act(client, who=name, open=re.search(r"https://t\.me/\+\S+", text).group(0))
    members = {m["name"]: m["status"] for m in group(state, "Bridge 1")["members"]}
    assert members["Ani"] == members["Elvin"] == "member"
    assert members["Mira"] == "administrator"  # the cast's moderator moderates the group

    state = await act(client, advance="1d")
    assert state["clock_local"].startswith("Tue 2026-03-10 10:0")  # actions tick 3 s each
    # Each reads the 24-hour reminder in their own language: Armenian letters, Azerbaijani ə.
    for name, letters in (("Ani", r"[\u0531-\u058a]"), ("Elvin", "ə")):
        texts = [m["text"] for m in private(state, name)["messages"]]
        reminders = [t for t in texts if t.startswith("⏰")]
        assert len(reminders) == 1, texts[-3:]
        assert "Listening circle" in reminders[0] and re.search(letters, reminders[0])

    # Past the session (19:00-20:30 in Yerevan): half time, then the survey invitation, each with
    # a button; a week later the survey has expired and says so when its button is pressed.
    state = await act(client, advance="12h")
    invitations = {}
    for name in ("Ani", "Elvin"):
        messages = private(state, name)["messages"]
        invitations[name] = next(m for m in reversed(messages) if m["buttons"])
        assert invitations[name]["date"] > messages[0]["date"]
    assert re.search(r"[\u0531-\u058a]", invitations["Ani"]["text"])
    assert "ə" in invitations["Elvin"]["text"]
    state = await act(client, advance="8d")
    before = len(private(state, "Ani")["messages"])
    press = invitations["Ani"]["buttons"][0][0]["text"]
    state = await act(
        client, who="Ani", chat="private", message=invitations["Ani"]["id"], press=press
    )
    assert len(private(state, "Ani")["messages"]) == before  # answered over the chat, in Armenian
    assert state["toast"]["alert"] and re.search(r"[\u0531-\u058a]", state["toast"]["text"])

    # The scenario saved now replays to the same chats.
    saved = (await client.get("/api/scenario")).text
    data = tomllib.loads(saved)
    assert [c["name"] for c in data["cast"]] == ["Olga", "Mira", "Ani", "Elvin", "Layla"]
    assert any("{group:1}" in s.get("say", "") for s in data["steps"])
    before = [m["text"] for m in private(state, "Ani")["messages"]]
    answer = await client.post("/api/scenario", content=saved.encode())
    assert answer.status_code == 200, answer.text
    replayed = answer.json()["state"]
    after = [m["text"] for m in private(replayed, "Ani")["messages"]]
    assert len(after) == len(before) and after[-1] == before[-1]


async def test_bad_steps_are_refused_with_a_reason(client) -> None:
    for step, reason in (
        ({"who": "Nobody", "say": "hi"}, "nobody called"),
        ({"advance": "soon"}, "cannot read the duration"),
        ({"who": "Ani", "press": "Nope"}, "no message with a button"),
        ({"who": "Ani", "open": "https://t.me/+unknown"}, "not an invite link"),
        ({"add_person": True, "name": "Ani", "role": "participant", "side": "Armenia"}, "taken"),
    ):
        answer = await client.post("/api/act", json=step)
        assert answer.status_code == 400
        assert reason in answer.json()["error"], answer.json()
    wrong = await client.post("/api/scenario", content=b"[program]\nname = 1\n")
    assert wrong.status_code == 400
    assert (await client.get("/api/state")).json()["program"]["name"] == "Spring Exchange"


async def test_a_new_person_and_the_long_poll(client) -> None:
    version = (await client.get("/api/state")).json()["version"]
    waiting = asyncio.ensure_future(client.get(f"/api/state?since={version}"))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    state = await act(
        client,
        add_person=True,
        name="Noa",
        role="participant",
        side="Armenia",
        language="he",
        zone="Asia/Jerusalem",
    )
    woke = (await asyncio.wait_for(waiting, 5)).json()
    assert woke["version"] > version
    assert any(p["name"] == "Noa" and p["language"] == "he" for p in state["cast"])
    state = await act(client, who="Noa", open="invite")
    assert private(state, "Noa")["messages"][-1]["from_bot"]
