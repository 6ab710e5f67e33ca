"""Reads an omb result as omb's own tools do: OMB's TestResult file (X.json) merged with
omb's sidecar (X.omb: corrected latencies, byte rates, periodSeconds, the delivery check,
rate search, backlog, ... under the same keys; see docs/results.md). Results without a
sidecar (Java OMB's, or omb's before the sidecar) load as they are."""
import json, os


def sidecar_path(path):
    return (path[:-5] if path.endswith(".json") else path) + ".omb"


def load(path):
    r = json.load(open(path))
    side = sidecar_path(path)
    if os.path.isfile(side):
        merged = json.load(open(side))
        merged.update(r)  # the result's own keys win
        return merged
    return r
