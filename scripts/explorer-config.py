#!/usr/bin/env python3
"""Points every node of a `tidemark network init` folder at the explorer's built files.

    python3 scripts/explorer-config.py NET_DIR EXPLORER_DIST

Sets "explorer_dir" (absolute) in NET_DIR/*/node.json, so each node serves the explorer at /.
"""
import glob
import json
import os
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
net, dist = sys.argv[1], os.path.abspath(sys.argv[2])
configs = sorted(glob.glob(os.path.join(net, "*", "node.json")))
if not configs:
    sys.exit(f"explorer-config: no */node.json under {net}")
for path in configs:
    with open(path) as f:
        cfg = json.load(f)
    cfg["explorer_dir"] = dist
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
