#!/usr/bin/env python3
"""Where a Spark application's time goes, from its event log (spark.eventLog.enabled=true).

Usage: bench/eventlog.py EVENT_LOG (a file, or a folder: Spark 4's rolling eventlog_v2_* folder or one above it)
Prints the timeline (application start, executors added, each job with its group, the gaps between jobs: the
driver's serial steps) and per job group: wall seconds, tasks, and the task time split as the Spark UI splits it
(deserialization, run (of which CPU and GC), result serialization, scheduler delay), the busy fraction of the
executor cores during the group's jobs, and per executor: tasks and run seconds.
"""
import glob
import json
import os
import re
import sys
from collections import defaultdict


def event_files(path):
    """The event log's files in order: a plain file, or the events_N_* files of a rolling log folder."""
    if os.path.isfile(path):
        return [path]
    files = glob.glob(f"{path}/**/events_*", recursive=True) or [f for f in glob.glob(f"{path}/**/*", recursive=True)
                                                                if os.path.isfile(f)]
    return sorted(files, key=lambda f: int(m.group(1)) if (m := re.search(r"events_(\d+)_", f)) else 0)


def lines(path):
    for name in event_files(path):
        with open(name) as f:
            yield from f


def main(path):
    app_start = app_end = None
    executors = {}
    jobs = {}
    stage_job = {}
    tasks = defaultdict(list)  # job id -> task records
    for line in lines(path):
        e = json.loads(line)
        kind = e["Event"]
        if kind == "SparkListenerApplicationStart":
            app_start = e["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            app_end = e["Timestamp"]
        elif kind == "SparkListenerExecutorAdded":
            executors[e["Executor ID"]] = (e["Timestamp"], e["Executor Info"]["Total Cores"])
        elif kind == "SparkListenerJobStart":
            props = e.get("Properties") or {}
            jobs[e["Job ID"]] = {"start": e["Submission Time"], "group": props.get("spark.jobGroup.id", "-")}
            for s in e["Stage IDs"]:
                stage_job[s] = e["Job ID"]
        elif kind == "SparkListenerJobEnd":
            jobs[e["Job ID"]]["end"] = e["Completion Time"]
        elif kind == "SparkListenerTaskEnd":
            info, m = e["Task Info"], e.get("Task Metrics") or {}
            duration = info["Finish Time"] - info["Launch Time"]
            getting = info["Finish Time"] - info["Getting Result Time"] if info.get("Getting Result Time") else 0
            deser = m.get("Executor Deserialize Time", 0)
            run = m.get("Executor Run Time", 0)
            ser = m.get("Result Serialization Time", 0)
            tasks[stage_job.get(e["Stage ID"])].append({
                "executor": info["Executor ID"], "launch": info["Launch Time"], "finish": info["Finish Time"],
                "duration": duration, "deser": deser, "run": run, "cpu": m.get("Executor CPU Time", 0) / 1e6,
                "gc": m.get("JVM GC Time", 0), "ser": ser, "getting": getting,
                "delay": max(0, duration - run - deser - ser - getting)})
    t0 = app_start
    cores = sum(c for _, c in executors.values())
    print(f"application: {(app_end or 0) - t0:>8} ms; executors: " + ", ".join(
        f"{x} (+{ts - t0} ms, {c} cores)" for x, (ts, c) in sorted(executors.items())))
    last = None
    for j in sorted(jobs):
        job = jobs[j]
        gap = job["start"] - (last if last is not None else t0)
        print(f"  job {j:>3} {job['group']:<22} +{job['start'] - t0:>7} ms  wall {job.get('end', 0) - job['start']:>7} ms"
              f"  tasks {len(tasks[j]):>4}  (gap before: {gap} ms)")
        last = job.get("end", job["start"])
    by_group = defaultdict(list)
    for j, job in jobs.items():
        by_group[job["group"]].append(j)
    print(f"{'group':<22} {'wall_s':>7} {'tasks':>5} {'deser_s':>7} {'run_s':>7} {'cpu_s':>7} {'gc_s':>6} "
          f"{'ser_s':>6} {'delay_s':>7} {'busy':>5}  per executor (tasks, run_s)")
    for group, ids in by_group.items():
        wall = sum(jobs[j].get("end", 0) - jobs[j]["start"] for j in ids) / 1000
        ts = [t for j in ids for t in tasks[j]]
        total = lambda k: sum(t[k] for t in ts) / 1000
        busy = sum(t["duration"] for t in ts) / 1000 / (wall * cores) if wall and cores else 0
        per = defaultdict(lambda: [0, 0.0])
        for t in ts:
            per[t["executor"]][0] += 1
            per[t["executor"]][1] += t["run"] / 1000
        print(f"{group:<22} {wall:>7.2f} {len(ts):>5} {total('deser'):>7.2f} {total('run'):>7.2f} {total('cpu'):>7.2f} "
              f"{total('gc'):>6.2f} {total('ser'):>6.2f} {total('delay'):>7.2f} {busy:>5.2f}  "
              + ", ".join(f"{x}: {n}, {r:.1f}" for x, (n, r) in sorted(per.items())))


if __name__ == "__main__":
    main(sys.argv[1])
