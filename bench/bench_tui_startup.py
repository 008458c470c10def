"""Time to the first screen: `make_app()` against a minimal Textual app, both measured in this run.

Each run is a fresh subprocess (headless, 80x24) that prints the time from its first line to the app's Ready
event (sent after the first frame is drawn), then exits. Prints the medians and the ratio; the issue's target
is a ratio of 1.2 or less. Usage: python3 bench/bench_tui_startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

# As an installed package runs: with cached bytecode. This environment may set PYTHONDONTWRITEBYTECODE, which
# would make every run recompile the project's modules but not Textual's (its .pyc files ship with the wheel);
# a private cache directory keeps the comparison fair and leaves the checkout untouched.
ENV = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(tempfile.gettempdir(), "study-bench-pycache"))
ENV.pop("PYTHONDONTWRITEBYTECODE", None)

MINIMAL = r"""
import time
t0 = time.perf_counter()
from textual.app import App
from textual.widgets import Footer, Header, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

    def on_ready(self):
        print(f"{(time.perf_counter() - t0) * 1000:.2f}")
        self.exit()

Minimal().run(headless=True, size=(80, 24))
"""

STUDY = r"""
import time
t0 = time.perf_counter()
from study.tui.app import make_app

app = make_app()

def ready():
    from study.tui.screens.home import HomeScreen
    assert isinstance(app.screen, HomeScreen) and len(app.screen.query("SectionMap")) == 1
    print(f"{(time.perf_counter() - t0) * 1000:.2f}")
    app.exit()

app.ready_callback = ready
app.run(headless=True, size=(80, 24))
"""


def one(code: str) -> tuple[float, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV)
    wall = (time.perf_counter() - start) * 1000
    return float(out.stdout.strip().splitlines()[-1]), wall


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    one(MINIMAL)  # warm the file cache for both
    one(STUDY)
    minimal, study, minimal_wall, study_wall = [], [], [], []
    for _ in range(runs):  # interleaved, so drift affects both alike
        a, aw = one(MINIMAL)
        b, bw = one(STUDY)
        minimal.append(a)
        minimal_wall.append(aw)
        study.append(b)
        study_wall.append(bw)
    m, s = statistics.median(minimal), statistics.median(study)
    mw, sw = statistics.median(minimal_wall), statistics.median(study_wall)
    print(f"time to first screen, median of {runs} runs (headless, 80x24)")
    print(f"  minimal Textual app   {m:8.1f} ms in-process   {mw:8.1f} ms whole process")
    print(f"  study (make_app)      {s:8.1f} ms in-process   {sw:8.1f} ms whole process")
    print(f"  ratio                 {s / m:8.2f}               {sw / mw:8.2f}   (target <= 1.20)")


if __name__ == "__main__":
    main()
