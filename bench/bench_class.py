"""A class of N students against one room, over HTTP on loopback.

Starts a headless room (`python -m study.classroom PLAYLIST`, its own process, a private STUDY_HOME) on 127.0.0.1,
then simulates N students as the page does: join, keep one long poll open, see the card, answer within a few
seconds of seeing it (some change their mind), see the reveal. A presenter long-polls the room's counts as the presenter's
screen does. Prints join time, answer-to-presenter latency p50/p99 (from an answer being sent to the presenter
holding a count that includes it), how long the card and the reveal take to reach every student, and the server's
memory. Baseline, same run: one student alone (latency) and the idle server (memory).

Bounded: at most 2000 students, every request has a timeout and the whole run stops after --deadline seconds.
Target on the 2-core machine: 500 students, p99 < 250 ms, server memory < 300 MB.

Usage: python3 bench/bench_class.py [--students 500] [--window 5] [--playlist stream-poison-record]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
MAX_STUDENTS = 2000


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def watch_presenter(base: str, key: str, queue) -> None:
    """In a process of its own (so the simulated class's work does not delay what it sees): long-poll the room's
    counts as the presenter's screen does, sending (time seen, answered) for every change."""

    async def watch() -> None:
        version = -1
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            while True:
                async with session.get(f"{base}/api/presenter?v={version}",
                                       headers={"X-Presenter-Key": key}) as resp:
                    view = await resp.json()
                version = view["version"]
                queue.put((time.perf_counter(), view["answered"]))

    asyncio.run(watch())


class Presenter:
    """The presenter's keys (open, reveal, close) from this process; what the presenter sees from the watcher's."""

    def __init__(self, session: aiohttp.ClientSession, base: str, key: str, queue) -> None:
        self.session, self.base, self.headers = session, base, {"X-Presenter-Key": key}
        self.queue = queue
        self.seen: list[tuple[float, int]] = []  # (time, answered), CLOCK_MONOTONIC in both processes

    async def act(self, action: str, body: dict | None = None) -> dict:
        async with self.session.post(f"{self.base}/api/presenter/{action}", json=body or {},
                                     headers=self.headers) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def collect(self, answered: int, deadline: float) -> None:
        """What the watcher saw, until it has seen `answered` answers (or the deadline)."""
        while time.perf_counter() < deadline:
            while not self.queue.empty():
                self.seen.append(self.queue.get())
            if self.seen and self.seen[-1][1] >= answered:
                return
            await asyncio.sleep(0.05)

    def time_seen(self, answered: int) -> float | None:
        # Counts only grow, so the first view holding `answered` answers is the first to include this one.
        return next((at for at, n in self.seen if n >= answered), None)


class StudentSim:
    def __init__(self, session: aiohttp.ClientSession, base: str, code: str, rng: random.Random) -> None:
        self.session, self.base, self.code, self.rng = session, base, code, rng
        self.version = -1
        self.card_seen: float | None = None
        self.sees_card = asyncio.Event()
        self.reveal_seen: float | None = None
        self.latencies_for: list[tuple[float, int]] = []  # (sent, answered count in the reply)
        self.refused = 0

    async def join(self) -> float:
        t0 = time.perf_counter()
        async with self.session.post(f"{self.base}/api/join", json={"code": self.code}) as resp:
            resp.raise_for_status()
            await resp.json()
        return time.perf_counter() - t0

    async def poll(self, until: asyncio.Event, card_id: str) -> None:
        while not until.is_set():
            async with self.session.get(f"{self.base}/api/state?code={self.code}&v={self.version}") as resp:
                view = await resp.json()
            self.version = view["version"]
            card = view.get("card")
            if card and card["id"] != card_id:
                card = None  # the result of an earlier card, still shown between cards
            now = time.perf_counter()
            if card and card["state"] == "open" and self.card_seen is None:
                self.card_seen = now
                self.sees_card.set()
            if card and card["state"] == "revealed" and self.reveal_seen is None:
                self.reveal_seen = now
                return

    async def answer(self, card: str, window: float) -> None:
        # A student answers once the card is on their screen, after reading it (at least half a second).
        await self.sees_card.wait()
        await asyncio.sleep(self.rng.uniform(0.5, max(0.5, window)))
        picks = [self.rng.randrange(4)]
        if self.rng.random() < 0.2:  # a change of mind
            picks.append((picks[0] + 1) % 4)
        for option in picks:
            t0 = time.perf_counter()
            async with self.session.post(f"{self.base}/api/answer",
                                         json={"code": self.code, "card": card, "option": option}) as resp:
                body = await resp.json()
            if resp.status != 200:
                self.refused += 1
                continue
            if len(picks) == 1 or option == picks[0]:
                self.latencies_for.append((t0, body["answered"]))
            if len(picks) > 1:
                await asyncio.sleep(self.rng.uniform(0.2, 1.0))


async def one_card(session, base, code, presenter, students, item, stop, window, deadline) -> dict:
    done = asyncio.Event()
    polls = [asyncio.create_task(s.poll(done, f"{item + 1}.{stop + 1}")) for s in students]
    await asyncio.sleep(0.3)  # every long poll is waiting
    opened = time.perf_counter()
    card = (await presenter.act("open", {"item": item, "stop": stop}))["card"]
    await asyncio.gather(*(s.answer(card, window) for s in students))
    sent = [(at, n) for s in students for at, n in s.latencies_for]
    await presenter.collect(max((n for _, n in sent), default=0), min(deadline, time.perf_counter() + 10))
    latencies = [seen - at for at, n in sent if (seen := presenter.time_seen(n)) is not None]
    presenter_count = presenter.seen[-1][1] if presenter.seen else 0
    revealed = time.perf_counter()
    await presenter.act("reveal")
    await asyncio.wait_for(asyncio.gather(*polls), max(1.0, deadline - time.perf_counter()))
    done.set()
    await presenter.act("close")
    return {
        "latencies": latencies,
        "card_fanout": max(s.card_seen for s in students) - opened,
        "reveal_fanout": max(s.reveal_seen for s in students) - revealed,
        "presenter_count": presenter_count,
        "refused": sum(s.refused for s in students),
        "missed": len(sent) - len(latencies),
    }


async def run_class(base: str, code: str, key: str, n: int, window: float, deadline: float, seed: int,
                    item: int, stop: int) -> dict:
    """N students join, then answer the playlist's card (item, stop) while the presenter watches."""
    connector = aiohttp.TCPConnector(limit=n * 2 + 10)
    timeout = aiohttp.ClientTimeout(total=60)
    rng = random.Random(seed)
    queue = multiprocessing.Queue()
    watcher = multiprocessing.Process(target=watch_presenter, args=(base, key, queue), daemon=True)
    watcher.start()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as presenter_session:
        presenter = Presenter(presenter_session, base, key, queue)
        # unsafe=True: aiohttp keeps no cookies for a bare IP address otherwise.
        sessions = [aiohttp.ClientSession(connector=connector, connector_owner=False, timeout=timeout,
                                          cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(n)]  # one cookie jar per student, as each browser has its own
        try:
            students = [StudentSim(s, base, code, random.Random(rng.random())) for s in sessions]
            t0 = time.perf_counter()
            join_times = await asyncio.gather(*(s.join() for s in students))
            join_all = time.perf_counter() - t0
            for session in sessions:
                assert any(c.key == "study_class" for c in session.cookie_jar), "no token cookie"
            result = await one_card(presenter_session, base, code, presenter, students, item, stop, window,
                                    deadline)
            result["join_all"] = join_all
            result["join_p99"] = pct(join_times, 99)
            return result
        finally:
            watcher.terminate()
            watcher.join(10)
            for s in sessions:
                await s.close()


def start_room(playlist: str, home: str, key: str) -> tuple[subprocess.Popen, str, str]:
    env = dict(os.environ, STUDY_HOME=home, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "study.classroom", playlist, "--host", "127.0.0.1", "--port", "0",
                             "--presenter-key", key, "--fresh", "--max-students", str(MAX_STUDENTS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    line = proc.stdout.readline().split()
    if len(line) != 2:
        proc.kill()
        raise SystemExit(f"the room did not start: {proc.stderr.read()[-2000:]}")
    return proc, f"http://127.0.0.1:{line[0]}", line[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=500)
    p.add_argument("--window", type=float, default=5.0,
                   help="a student answers 0.5 s to this many seconds after the card reaches them")
    p.add_argument("--playlist", default="stream-poison-record",
                   help="a playlist whose first two labs have two stops each")
    p.add_argument("--deadline", type=float, default=120.0, help="the whole run stops after this many seconds")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if not 1 <= args.students <= MAX_STUDENTS:
        print(f"--students: expected 1..{MAX_STUDENTS}", file=sys.stderr)
        return 2
    key = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as home:
        proc, base, code = start_room(args.playlist, home, key)
        try:
            idle_rss, _ = memory_mb(proc.pid)
            deadline = time.perf_counter() + args.deadline
            # Baseline: one student alone in a room (the card is built by the emulator on first open).
            # (three cards of the playlist; the loaded run takes the fourth)
            alone = [asyncio.run(run_class(base, code, key, 1, 0.0, deadline, args.seed, item, stop))
                     for item, stop in ((0, 0), (1, 0), (1, 1))]
            alone_ms = statistics.median(r["latencies"][0] * 1000 for r in alone)
            base_rss, _ = memory_mb(proc.pid)
            cpu0, wall0 = cpu_seconds(proc.pid), time.perf_counter()
            # The loaded run is the playlist's next card in the same room, as a class goes from card to card.
            loaded = asyncio.run(run_class(base, code, key, args.students, args.window, deadline, args.seed, 0, 1))
            rss, peak = memory_mb(proc.pid)
            server_cpu, wall = cpu_seconds(proc.pid) - cpu0, time.perf_counter() - wall0
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    lat = [x * 1000 for x in loaded["latencies"]]
    print(f"bench_class: {args.students} students answering 0.5-{args.window:g} s after the card reaches them, "
          f"room {code} on loopback")
    print(f"  join:      all {args.students} in {loaded['join_all'] * 1000:.0f} ms (p99 of one join "
          f"{loaded['join_p99'] * 1000:.0f} ms)")
    print(f"  answer -> presenter latency: p50 {statistics.median(lat):.1f} ms, p99 {pct(lat, 99):.1f} ms, "
          f"max {max(lat):.1f} ms over {len(lat)} answers "
          f"(baseline, one student alone: {alone_ms:.1f} ms, median of 3 cards)")
    print(f"  card reached every student in {loaded['card_fanout'] * 1000:.0f} ms; the reveal in "
          f"{loaded['reveal_fanout'] * 1000:.0f} ms")
    print(f"  presenter's final count {loaded['presenter_count']} (students {args.students}); refused "
          f"{loaded['refused']}; answers the presenter never saw {loaded['missed']}")
    print(f"  server CPU over the loaded run: {server_cpu:.2f} s in {wall:.1f} s of wall time (the simulated "
          f"students and presenter share the same 2 cores)")
    print(f"  server memory: {rss:.1f} MB now, peak {peak:.1f} MB (baseline: idle {idle_rss:.1f} MB, after one "
          f"card {base_rss:.1f} MB)")
    ok = pct(lat, 99) < 250 and peak < 300 and loaded["missed"] == 0
    print(f"  target (p99 < 250 ms, memory < 300 MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
