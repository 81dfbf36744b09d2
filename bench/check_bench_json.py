#!/usr/bin/env python3
"""check_bench_json.py — runs tidemark-bench and checks its --json report (ctest bench.quick).

    python3 bench/check_bench_json.py build/dev/bench/tidemark-bench --quick --json
    python3 bench/check_bench_json.py --file report.json     # check a saved report
    python3 bench/check_bench_json.py --self-test            # the checker refuses bad reports

Fails (exit 1, naming the field) unless: every field is present with the right type, every step
committed what the nodes accepted (committed == accepted, nothing rejected, refused, failed or
still pending), finality p50 <= p99 and both positive, committed tx/s and the ratio to the ceiling
positive, the first node timed its txs' waits until final (0 < p50 <= p99), and the local
nodes report CPU, RSS and disk figures.
"""
import json
import subprocess
import sys

STEP_FIELDS = {
    "rate": (int, float), "duration_s": (int, float), "drain_s": (int, float),
    "submitted": int, "accepted": int, "refused": int, "failed": int, "retries": int,
    "committed": int, "rejected": int, "pending": int, "committed_tps": (int, float),
    "ratio": (int, float), "finality_ms": dict, "mean_tx_bytes": int, "blocks": int,
    "wall_s": (int, float), "disk_bytes_per_tx": (int, float), "nodes": list,
    "node_waits_ms": dict,
}
TOP_FIELDS = {
    "tool": str, "build_type": str, "mix": str, "validators": int, "local": bool,
    "ceiling": dict, "peak_committed_tps": (int, float), "steps": list,
}


def check(report):
    errors = []

    def need(obj, fields, where):
        for name, kind in fields.items():
            if name not in obj:
                errors.append(f"{where}: no field {name}")
            elif isinstance(obj[name], bool) and kind is not bool:
                errors.append(f"{where}.{name}: a bool, expected {kind}")
            elif not isinstance(obj[name], kind):
                errors.append(f"{where}.{name}: {obj[name]!r} is not {kind}")

    need(report, {**TOP_FIELDS, **STEP_FIELDS}, "report")
    if errors:
        return errors
    if report["tool"] != "tidemark-bench":
        errors.append("report.tool: not tidemark-bench")
    if not report["ceiling"].get("tx_per_s", 0) > 0:
        errors.append("report.ceiling.tx_per_s: must be > 0")
    if not report["ratio"] > 0:
        errors.append(f"report.ratio: {report['ratio']} must be > 0")
    if not report["steps"]:
        errors.append("report.steps: empty")
    for i, step in enumerate(report["steps"]):
        where = f"steps[{i}]"
        need(step, STEP_FIELDS, where)
        if errors:
            continue
        if step["submitted"] <= 0:
            errors.append(f"{where}.submitted: nothing was submitted")
        if step["committed"] != step["accepted"]:
            errors.append(f"{where}: committed {step['committed']} != accepted {step['accepted']}"
                          f" (first reject: {step.get('first_reject')!r})")
        if step["accepted"] != step["submitted"]:
            errors.append(f"{where}: accepted {step['accepted']} != submitted {step['submitted']}"
                          f" (first refusal: {step.get('first_error')!r})")
        for name in ("rejected", "refused", "failed", "pending"):
            if step[name] != 0:
                errors.append(f"{where}.{name}: {step[name]}, expected 0")
        if not step["committed_tps"] > 0:
            errors.append(f"{where}.committed_tps: must be > 0")
        if not step["ratio"] > 0:
            errors.append(f"{where}.ratio: must be > 0")
        fin = step["finality_ms"]
        if not (0 < fin.get("p50", 0) <= fin.get("p99", 0)):
            errors.append(f"{where}.finality_ms: want 0 < p50 <= p99, got {fin}")
        # The first node timed the txs it admitted (all of them: by REST or by gossip).
        final = step["node_waits_ms"].get("until_final", {})
        if not (0 < final.get("p50", 0) <= final.get("p99", 0)):
            errors.append(f"{where}.node_waits_ms.until_final: want 0 < p50 <= p99, got {final}")
        if report["local"]:
            if len(step["nodes"]) != report["validators"]:
                errors.append(f"{where}.nodes: {len(step['nodes'])} entries, expected "
                              f"{report['validators']}")
            for n in step["nodes"]:
                if not (n.get("cpu_cores", 0) > 0 and n.get("peak_rss_mib", 0) > 0):
                    errors.append(f"{where}.nodes: {n.get('name')} has no CPU or RSS figure")
            if not step["disk_bytes_per_tx"] > 0:
                errors.append(f"{where}.disk_bytes_per_tx: must be > 0")
    return errors


def self_test():
    """A good report passes; each of the faults the bench could hide is named."""
    step = {"rate": 20, "duration_s": 4, "drain_s": 15, "submitted": 80, "accepted": 80,
            "refused": 0, "failed": 0, "retries": 0, "committed": 80, "rejected": 0, "pending": 0,
            "committed_tps": 20.0, "ratio": 0.002, "finality_ms": {"p50": 150.0, "p99": 210.0},
            "mean_tx_bytes": 999, "blocks": 40, "wall_s": 5.0, "disk_bytes_per_tx": 3000.0,
            "nodes": [{"name": n, "cpu_cores": 0.1, "peak_rss_mib": 20.0} for n in "abcd"],
            "node_waits_ms": {"until_proposed": {"p50": 50.0, "p99": 100.0},
                              "until_final": {"p50": 150.0, "p99": 250.0}, "timeouts": 0}}
    good = {**step, "tool": "tidemark-bench", "build_type": "Debug", "mix": "mixed",
            "validators": 4, "local": True, "ceiling": {"tx_per_s": 7000.0},
            "peak_committed_tps": 20.0, "steps": [dict(step)]}
    assert check(good) == [], check(good)
    faults = {
        "committed 79 != accepted 80": lambda r: r["steps"][0].update(committed=79),
        "rejected": lambda r: r["steps"][0].update(rejected=1),
        "ratio": lambda r: r.update(ratio=0.0),
        "no field finality_ms": lambda r: r.pop("finality_ms"),
        "0 < p50 <= p99": lambda r: r["steps"][0].update(finality_ms={"p50": 300.0, "p99": 200.0}),
        "no CPU or RSS": lambda r: r["steps"][0]["nodes"][2].update(cpu_cores=0),
        "accepted 80 != submitted 81": lambda r: r["steps"][0].update(submitted=81),
        "node_waits_ms.until_final": lambda r: r["steps"][0]["node_waits_ms"].update(
            until_final={"p50": -1.0, "p99": -1.0}),
    }
    for want, spoil in faults.items():
        bad = json.loads(json.dumps(good))
        spoil(bad)
        errors = check(bad)
        assert any(want in e for e in errors), f"{want!r} not caught: {errors}"
    print(f"self-test ok: a good report passes, {len(faults)} spoiled ones fail")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) >= 3 and argv[1] == "--file":
        with open(argv[2]) as f:
            text = f.read()
    elif len(argv) >= 2:
        run = subprocess.run(argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=600)
        sys.stderr.write(run.stderr)
        if run.returncode != 0:
            print(f"tidemark-bench exited {run.returncode}\n{run.stdout}")
            return 1
        text = run.stdout
    else:
        print(__doc__)
        return 2
    try:
        report = json.loads(text)
    except json.JSONDecodeError as e:
        print(f"not JSON ({e}):\n{text[:2000]}")
        return 1
    errors = check(report)
    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print(f"ok: {report['peak_committed_tps']:.1f} tx/s committed, ratio {report['ratio']:.4f}, "
          f"p50 {report['finality_ms']['p50']:.0f} ms, p99 {report['finality_ms']['p99']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
