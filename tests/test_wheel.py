"""The wheel carries content/ and questions/, and the code finds them away from the checkout (pipx install .)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_content_and_finds_it(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = out.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "study/_data/content/rules.yaml" in names
    assert "study/_data/content/lessons/18.06.md" in names
    assert "study/_data/questions/bank/18.06.yaml" in names
    assert "study/classroom/page.html" in names  # the live classroom's student page
    built = shutil.which("cc") or shutil.which("gcc")
    if built:  # hatch_build.py compiles the trace writer's C renderer into the wheel
        assert any(n.startswith("study/sim/_bulktext.") and n.endswith(".so") for n in names), names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import study.paths as p, study.content as c, study.sim.native as n; print(p.content_dir()); "
            "print(len(c.load_lessons()), len(c.load_rules().rules), n.module() is not None)")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": ""},
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    where, counts = r.stdout.strip().splitlines()
    assert where == str(site / "study" / "_data" / "content")
    assert counts.split()[0] == "20" and int(counts.split()[1]) >= 60
    assert counts.split()[2] == str(bool(built))  # the wheel's C module loads where it was built
