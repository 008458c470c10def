"""Builds study/sim/_bulktext.c, the C renderer of a large SQS backlog's trace (study.sim.native), at install.

Without a C compiler or Python's headers the build is skipped with a warning: `study` then writes the same traces
with its Python renderer, slower. The module carries the SHA-256 of its source, so a build left from another
version of the file is not used (study/sim/native.py).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

SOURCE = Path("study", "sim", "_bulktext.c")


def build(root: Path) -> Path | None:
    """Compile the module beside its source; its path, or None (the reason printed) where it could not be."""
    src = root / SOURCE
    out = src.with_name("_bulktext" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    include = sysconfig.get_paths()["include"]
    if not Path(include, "Python.h").exists():
        print(f"lambda-study: no Python.h in {include}; the trace renderer stays in Python", file=sys.stderr)
        return None
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    errors = []
    for cc in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc"):
        if not cc:
            continue
        cmd = [*shlex.split(cc), "-O2", "-shared", "-fPIC", "-std=c11", f"-I{include}",
               f'-DBULKTEXT_SOURCE="{digest}"', str(src), "-o", str(tmp), "-ldl", "-lm", "-pthread"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as err:
            errors.append(f"{cc}: {err}")
            continue
        if done.returncode == 0:
            os.replace(tmp, out)
            return out
        errors.append(f"{cc}: {done.stderr.strip()[-2000:]}")
    tmp.unlink(missing_ok=True)
    print("lambda-study: the C trace renderer was not built; the Python one is used:\n" + "\n".join(errors),
          file=sys.stderr)
    return None


try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run as a script: python3 hatch_build.py
    BuildHookInterface = object


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        built = build(Path(self.root))
        if built is not None and self.target_name == "wheel" and version != "editable":
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"][str(built)] = SOURCE.with_name(built.name).as_posix()


if __name__ == "__main__":
    sys.exit(0 if build(Path(__file__).resolve().parent) else 1)
