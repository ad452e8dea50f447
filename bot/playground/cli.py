"""`bridgebot playground`: no token, no network; the bot and a page on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import tempfile
import time
from pathlib import Path

from bot.clitools.numbers import number_arg


def register(sub: argparse._SubParsersAction) -> None:
    play = sub.add_parser(
        "playground",
        help="try the bot in the browser: the real bot against an embedded Bot API, no token",
    )
    play.add_argument(
        "--folder",
        type=Path,
        help="keep the playground here (its scenario.toml, database and secret); default: a temporary folder",
    )
    play.add_argument(
        "--scenario",
        type=Path,
        help="a scenario file to load (default: the folder's, else the ready one)",
    )
    play.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    play.add_argument(
        "--port", type=number_arg(0, 65535), default=8800, help="port (0: any free one)"
    )
    play.set_defaults(handler=cmd_playground)


def cmd_playground(settings: object, args: argparse.Namespace) -> int:
    from bot.playground.engine import SCENARIO_FILE, PlaygroundError, Scenario, ready_scenario

    started = time.monotonic()
    temporary = None
    if args.folder is None:
        temporary = tempfile.TemporaryDirectory(prefix="bridgebot-playground-")
        folder = Path(temporary.name)
    else:
        folder = args.folder
    saved = folder / SCENARIO_FILE
    if args.scenario is not None:
        text = args.scenario.read_text(encoding="utf-8")
    elif saved.exists():
        text = saved.read_text(encoding="utf-8")
    else:
        text = ready_scenario()
    try:
        scenario = Scenario.parse(text)
    except PlaygroundError as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(folder, scenario, args, started, keep=temporary is None))
    except PlaygroundError as error:
        print(str(error), file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr
        )
        return 2
    finally:
        if temporary is not None:
            temporary.cleanup()


async def _serve(
    folder: Path, scenario, args: argparse.Namespace, started: float, keep: bool
) -> int:
    from bot.playground.engine import SCENARIO_FILE, Playground
    from bot.playground.server import serve

    playground = Playground(folder, scenario)
    server, port, host = await serve(playground, args.host, args.port)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    print(
        f"Bridgebot playground: http://{shown}:{port}/  "
        f"(bot up in {time.monotonic() - started:.1f} s; data in {folder}; Ctrl-C stops)",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    if keep:

        def save() -> None:
            (folder / SCENARIO_FILE).write_text(host.playground.scenario_text(), encoding="utf-8")

        # Every change is saved, so the named folder replays it next time.
        host_wake = host._wake

        def wake_and_save() -> None:
            host_wake()
            save()

        host.playground.on_change = wake_and_save
        host._wake = wake_and_save  # type: ignore[method-assign]  # a loaded scenario gets the same hook
    await stop.wait()
    server.stop()
    await host.playground.stop()
    return 0
