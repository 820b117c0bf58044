"""Turns the samples of a bench run (JSON lines) into bench/results/<scenario>.json and a table.

Every figure is the median over the rounds with its min and max. Ratios are ambit/<peer> of the
medians. For latency figures the ratio of the latency *added over direct* is given as well
("added_<metric>"), which is what the targets are about.
"""

import json
import os
import platform
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timezone

PEERS = ["direct", "stunnel", "haproxy", "nginx"]


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "shared": True,
    }


def summarize(samples, failures, settings):
    by = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    meta = {}
    for s in samples:
        by[s["scenario"]][s["contender"]][s["metric"]].append(float(s["value"]))
        meta[(s["scenario"], s["metric"])] = (s["unit"], s["better"])
    out = {}
    for scenario, contenders in by.items():
        result = {
            "scenario": scenario,
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": settings,
            "contenders": {},
            "ratios": {},
        }
        for c, metrics in contenders.items():
            result["contenders"][c] = {
                m: {
                    "median": round(statistics.median(v), 3),
                    "min": round(min(v), 3),
                    "max": round(max(v), 3),
                    "runs": len(v),
                    "unit": meta[(scenario, m)][0],
                    "better": meta[(scenario, m)][1],
                }
                for m, v in sorted(metrics.items())
            }
        ambit = result["contenders"].get("ambit", {})
        direct = result["contenders"].get("direct", {})
        for peer in PEERS:
            other = result["contenders"].get(peer)
            if not other or not ambit:
                continue
            ratios = {}
            for m, a in ambit.items():
                if m not in other or other[m]["median"] == 0:
                    continue
                ratios[m] = round(a["median"] / other[m]["median"], 3)
                if a["unit"] == "us" and peer != "direct" and m in direct:
                    added_a = a["median"] - direct[m]["median"]
                    added_p = other[m]["median"] - direct[m]["median"]
                    if added_p > 0:
                        ratios["added_" + m] = round(added_a / added_p, 3)
            result["ratios"]["ambit/" + peer] = ratios
        failed = [f for f in failures if f["scenario"] == scenario]
        if failed:
            result["failures"] = failed
        out[scenario] = result
    return out


def table(results):
    lines = []
    for scenario, r in sorted(results.items()):
        contenders = [
            c for c in ["direct", "stunnel", "haproxy", "nginx", "ambit"] if c in r["contenders"]
        ]
        peers = [p for p in ["stunnel", "haproxy", "nginx"] if p in r["contenders"]]
        metrics = sorted({m for c in contenders for m in r["contenders"][c]})
        lines.append(f"## {scenario}")
        head = ["metric"] + contenders + [f"ambit/{p}" for p in peers]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for m in metrics:
            row = [m]
            for c in contenders:
                f = r["contenders"][c].get(m)
                row.append(f"{f['median']:g} ({f['min']:g}-{f['max']:g})" if f else "")
            for p in peers:
                row.append(str(r["ratios"].get(f"ambit/{p}", {}).get(m, "")))
            lines.append("| " + " | ".join(row) + " |")
            added = [r["ratios"].get(f"ambit/{p}", {}).get("added_" + m) for p in peers]
            if any(a is not None for a in added):
                row = [f"{m} added over direct"] + [""] * len(contenders)
                row += ["" if a is None else str(a) for a in added]
                lines.append("| " + " | ".join(row) + " |")
        for f in r.get("failures", []):
            lines.append(f"FAILED {f['contender']} {f['what']}: {f['error']}")
        lines.append("")
    return "\n".join(lines)


def main():
    samples_file, failures_file, results_dir, settings = sys.argv[1:5]
    with open(samples_file) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    with open(failures_file) as f:
        failures = [json.loads(line) for line in f if line.strip()]
    results = summarize(samples, failures, settings)
    os.makedirs(results_dir, exist_ok=True)
    for scenario, r in results.items():
        with open(os.path.join(results_dir, scenario + ".json"), "w") as f:
            json.dump(r, f, indent=2)
            f.write("\n")
    print(table(results))


if __name__ == "__main__":
    main()
