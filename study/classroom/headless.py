"""A room without the presenter's screen: `python -m study.classroom PLAYLIST` serves a playlist's room and opens
its cards through the presenter API (what bench/bench_class.py drives). The cards are the ones `study demo` and
`study class` show: study.demo prepares them from the emulator."""

from __future__ import annotations

import argparse
import asyncio
import sys
from functools import cache


def playlist_cards(playlist):
    """card_source for ClassServer: (item, stop) -> (card id, payload), each card built once."""
    from study import demo
    from study.classroom.room import card_id, card_payload

    @cache
    def source(item: int, stop: int) -> tuple[str, dict]:
        entry = playlist.items[item]
        card = demo.make_card(entry.lab_path, entry.stops[stop])
        where = f"Stop {stop + 1} of {len(entry.stops)} · {entry.lab} · {playlist.title}"
        return card_id(item, stop), card_payload(card, demo.card_whys(card), where, entry.lab, stop)

    return source


def main(argv: list[str] | None = None) -> int:
    from study.classroom.room import Room
    from study.classroom.server import ClassServer
    from study.classroom.store import ClassStore
    from study.demo import demos_dir, load_playlist
    from study.sim.errors import ScenarioError

    p = argparse.ArgumentParser(prog="python -m study.classroom", description=__doc__)
    p.add_argument("playlist", help="a playlist name in content/demos")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: any free port (printed on the first line)")
    p.add_argument("--presenter-key", required=True, help="the secret the presenter API asks for")
    p.add_argument("--fresh", action="store_true", help="a new room even if this playlist has an open one")
    p.add_argument("--max-students", type=int, default=1000)
    args = p.parse_args(argv)
    try:
        playlist = load_playlist(demos_dir() / f"{args.playlist}.yaml")
    except (ScenarioError, OSError) as err:
        print(f"study.classroom: {err}", file=sys.stderr)
        return 2
    store = ClassStore()
    room = Room.open(store, playlist.name, playlist.title, fresh=args.fresh, max_students=args.max_students)
    server = ClassServer(room, args.host, args.port, presenter_key=args.presenter_key,
                         card_source=playlist_cards(playlist))

    async def serve() -> None:
        await server.start()
        print(f"{server.port} {room.code}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.close()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0
