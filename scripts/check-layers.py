#!/usr/bin/env python3
"""check-layers.py — fails when an #include goes up a layer (docs/architecture.md, "Layering").

Every C++ file belongs to one layer by its path; every `#include "tidemark/..."` names a header
that belongs to one layer by its include path. A file may include headers of its own layer and of
the layers below it, never above: the rule CMake's link graph also enforces for libraries, checked
here over the sources so that a header-only shortcut cannot break it either.

    scripts/check-layers.py            # exit 0: the layering holds; exit 1: each violation listed

Layers, bottom first (a layer may use every layer with a smaller rank; same rank = siblings that
must not include each other):
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (layer, rank, source path prefixes, include prefixes that name its headers)
LAYERS = [
    ("core", 0, ["sdk/src/", "sdk/include/"], ["tidemark/"]),  # fallback: tidemark/<x>.h
    ("client", 1, ["sdk/client/"], ["tidemark/client/"]),
    ("consensus", 1, ["consensus/src/", "consensus/include/"], ["tidemark/consensus/"]),
    ("contracts", 1, ["contracts/"], ["tidemark/contracts/"]),
    # node/: inner layers, each a library in node/CMakeLists.txt.
    ("node/metrics", 2, ["node/src/metrics/", "node/include/tidemark/node/metrics/"],
     ["tidemark/node/metrics/"]),
    ("node/storage", 2, ["node/src/storage/", "node/include/tidemark/node/storage/"],
     ["tidemark/node/storage/"]),
    ("node/state", 3, ["node/src/state/", "node/include/tidemark/node/state/"],
     ["tidemark/node/state/"]),
    ("node/chain", 4, ["node/src/chain/", "node/include/tidemark/node/chain/"],
     ["tidemark/node/chain/"]),
    ("node/mempool", 2, ["node/src/mempool/", "node/include/tidemark/node/mempool/"],
     ["tidemark/node/mempool/"]),
    ("node/p2p", 2, ["node/src/p2p/", "node/include/tidemark/node/p2p/"], ["tidemark/node/p2p/"]),
    ("node/http", 3, ["node/src/http/", "node/include/tidemark/node/http/"],
     ["tidemark/node/http/"]),
    ("node/config", 4, ["node/src/config/", "node/include/tidemark/node/config/"],
     ["tidemark/node/config/"]),
    ("node/api", 5, ["node/src/api/", "node/include/tidemark/node/api/"], ["tidemark/node/api/"]),
    ("node/app", 6, ["node/src/app/", "node/include/tidemark/node/app/"], ["tidemark/node/app/"]),
    # Binaries and everything that only uses the libraries.
    ("binaries", 9, ["node/main.cc", "node/testing/", "cli/", "consensus/sim/", "bench/", "tests/",
                     "fuzz/"], []),
]
# Layers a sibling of the same rank may still use (none: siblings are independent).
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"(tidemark/[^"]+)"', re.M)


def layer_of_file(rel):
    for name, rank, paths, _ in LAYERS:
        if any(rel.startswith(p) or rel == p for p in paths):
            return name, rank
    return None


def layer_of_include(inc):
    best = None
    for name, rank, _, prefixes in LAYERS:
        for p in prefixes:
            if inc.startswith(p) and (best is None or len(p) > best[2]):
                best = (name, rank, len(p))
    return best


def main():
    files = [p for p in ROOT.rglob("*") if p.suffix in (".cc", ".h") and p.is_file()]
    violations = []
    for f in files:
        rel = f.relative_to(ROOT).as_posix()
        if rel.startswith(("build/", "explorer/", "sdk/js/")) or "/node_modules/" in rel:
            continue
        own = layer_of_file(rel)
        if own is None:
            violations.append(f"{rel}: in no layer (add its folder to scripts/check-layers.py)")
            continue
        for m in INCLUDE_RE.finditer(f.read_text(errors="replace")):
            inc = m.group(1)
            dep = layer_of_include(inc)
            if dep is None or dep[0] == own[0]:
                continue
            if dep[1] >= own[1]:
                line = f.read_text(errors="replace").count("\n", 0, m.start()) + 1
                violations.append(f"{rel}:{line}: {own[0]} includes {inc} ({dep[0]}): "
                                  "that is not below it")
    for v in sorted(violations):
        print(v)
    if violations:
        print(f"check-layers: {len(violations)} include(s) go up or across a layer")
        return 1
    print(f"check-layers: {len(files)} files, the layering holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
