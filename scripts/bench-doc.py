#!/usr/bin/env python3
"""Puts a benchmark script's markdown (stdin) into docs/performance.md
between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, with the date and
the machine, so the numbers there are always the latest measured ones.

    scripts/bench-doc.py NAME [DOC] < table.md
"""
import datetime, os, platform, re, sys

name = sys.argv[1]
doc = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(__file__), "..", "docs", "performance.md")
body = sys.stdin.read().strip()
cpu = "?"
try:
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
except OSError:
    pass
load = os.getloadavg()[0]
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
stamp = (f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
         f"{os.cpu_count()} × {cpu}, {mem:.0f} GiB, Linux {platform.release()}, "
         f"load average {load:.1f} at the start of the summary.")
block = f"<!-- bench:{name} -->\n{stamp}\n\n{body}\n<!-- /bench:{name} -->"
text = open(doc).read()
pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
if not pattern.search(text):
    sys.exit(f"{doc} has no <!-- bench:{name} --> section to replace")
open(doc, "w").write(pattern.sub(lambda _: block, text))
print(f"updated the {name} section of {doc}")
