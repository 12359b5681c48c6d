#!/usr/bin/env python3
"""measure.py -- run benchmark command pairs, time them, print and save results.

Used by the bench/*.sh drivers through bench_measure in bench/lib.sh; not
meant to be called by hand.  Usage:

    measure.py SPEC.jsonl RESULT.json

SPEC is JSON lines, one object a line, "type" saying what it is:

  {"type": "meta", "runs": 21, "rss_runs": 3, "user": "nobody" or null
   (informative), "scratch": DIR (writable), "time": "/usr/bin/time",
   "title": ..., "info": {...free-form, copied to the result...}}
  {"type": "case", "id": ..., "title": ..., "wall_target": 10.0,
   "rss_target": 1.0, "expect_folders": [...] (optional)}
  {"type": "cmd", "case": ID, "side": "ref"|"ours", "argv": [...],
   "cwd": DIR, "keep": [paths that must not change while it runs]}
  {"type": "skip", "case": ID, "side": "ours", "reason": ...}
  {"type": "note", "case": ID or null, "text": ...}
  {"type": "check", "id": ..., "title": ..., "status": "pass"|"fail"|
   "info", "detail": ...}

How it measures (the same for both sides, see bench/README.md):
  - one unmeasured warm-up run per command, whose exit status must be 0 and
    whose output is checked against expect_folders when given;
  - `runs` timed runs, ours and the reference interleaved and the order
    flipped every run, each timed with time.perf_counter_ns() from just
    before the fork to just after wait4(), output to /dev/null;
  - `rss_runs` more runs under `/usr/bin/time -f %M` for the peak RSS (KB);
    the largest is reported.
With "mode": "deliver" in meta (bench/deliver.sh) cases have three sides
(ours, ref, floor), commands read a "stdin" file and deliver into a
"maildir" that is emptied before and checked after each case, timed runs
also record CPU time, and "kind": "throughput" cases count messages per
second; see the "delivery benchmarks" section below.
When the harness runs as root, lib.sh runs this script as the unprivileged
`user` (Pigeonhole's sieve-test refuses root), so both sides run as it.

Exit status: 0 when everything ran (targets missed or not), 2 on a harness
error (a command failed, the reference printed the wrong actions, a file
that must not change changed).
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

FOLDER_RE = re.compile(r"Folder/(\d+)(?![0-9])")
REF_FOLDER_RE = re.compile(r"store message in folder: (\S+)")


class HarnessError(Exception):
    pass


def load_spec(path):
    meta, cases, checks, notes = None, [], [], []
    by_id = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise HarnessError("%s:%d: bad JSON: %s" % (path, lineno, e))
            kind = rec.get("type")
            if kind == "meta":
                meta = rec
            elif kind == "case":
                rec["sides"] = {}
                rec["skips"] = {}
                rec["notes"] = []
                cases.append(rec)
                by_id[rec["id"]] = rec
            elif kind in ("cmd", "skip"):
                case = by_id.get(rec["case"])
                if case is None:
                    raise HarnessError("%s:%d: unknown case %r"
                                       % (path, lineno, rec["case"]))
                if kind == "cmd":
                    case["sides"][rec["side"]] = rec
                else:
                    case["skips"][rec["side"]] = rec["reason"]
            elif kind == "note":
                if rec.get("case"):
                    by_id[rec["case"]]["notes"].append(rec["text"])
                else:
                    notes.append(rec["text"])
            elif kind == "check":
                checks.append(rec)
            else:
                raise HarnessError("%s:%d: unknown type %r"
                                   % (path, lineno, kind))
    if meta is None:
        raise HarnessError("%s: no meta record" % path)
    return meta, cases, checks, notes


def popen_kwargs(meta, cmd):
    # No user switching here: Popen(user=...) cannot use vfork and adds
    # about 0.5 ms to every spawn, so lib.sh runs this whole script as the
    # measuring user instead.
    return {"cwd": cmd.get("cwd") or None}


def run_capture(meta, cmd):
    """The warm-up run: output kept, exit status checked."""
    with open_stdin(cmd) as fin:
        p = subprocess.run(cmd["argv"], stdin=fin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, **popen_kwargs(meta, cmd))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        raise HarnessError("%s exited with %d\n  command: %s\n  stderr: %s"
                           % (cmd["argv"][0], p.returncode,
                              " ".join(cmd["argv"]), err.strip()[:2000]))
    return out, err


def open_stdin(cmd):
    """The command's standard input: its "stdin" file, else /dev/null."""
    return open(cmd.get("stdin") or os.devnull, "rb")


def run_timed(meta, cmd, with_cpu=False):
    """One measured run: wall time in ns, and the kernel's ru_maxrss (and,
    with_cpu, user + system CPU time in ns from the same wait4)."""
    kw = popen_kwargs(meta, cmd)
    with open_stdin(cmd) as fin:
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(cmd["argv"], stdin=fin,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, **kw)
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter_ns()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise HarnessError("%s exited with %d during timing: %s"
                           % (cmd["argv"][0], p.returncode,
                              " ".join(cmd["argv"])))
    if with_cpu:
        return t1 - t0, ru.ru_maxrss, round((ru.ru_utime + ru.ru_stime) * 1e9)
    return t1 - t0, ru.ru_maxrss


def run_rss(meta, cmd, scratch, tag):
    """Peak RSS in KB as reported by GNU time's %M."""
    out = os.path.join(scratch, "rss-%s.txt" % tag)
    argv = [meta.get("time", "/usr/bin/time"), "-f", "%M", "-o", out]
    argv += cmd["argv"]
    with open_stdin(cmd) as fin:
        p = subprocess.run(argv, stdin=fin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL,
                           **popen_kwargs(meta, cmd))
    if p.returncode != 0:
        raise HarnessError("%s under %s exited with %d"
                           % (cmd["argv"][0], argv[0], p.returncode))
    with open(out, encoding="ascii") as f:
        lines = [ln.strip() for ln in f if ln.strip()]
    os.unlink(out)
    try:
        return int(lines[-1])
    except (IndexError, ValueError):
        raise HarnessError("cannot read %M output of %s: %r"
                           % (argv[0], lines))


def stat_keep(cmd):
    snap = {}
    for path in cmd.get("keep", []):
        st = os.stat(path)
        snap[path] = (st.st_mtime_ns, st.st_size)
    return snap


def check_actions(case, side, out, err):
    """Whether the printed actions file into exactly the expected folders.
    For the reference this is a harness check (Pigeonhole's text format is
    known); for ours it is a warning, since the format is ours to choose."""
    expect = case.get("expect_folders")
    if expect is None:
        return None
    text = out + "\n" + err
    if side == "ref":
        got = REF_FOLDER_RE.findall(text)
        if sorted(got) != sorted(expect):
            raise HarnessError(
                "%s: the reference filed into %s, expected %s; the "
                "benchmark script does not do what it should"
                % (case["id"], got or "nothing", expect))
        return True
    got = sorted(set("Folder/" + m for m in FOLDER_RE.findall(text)))
    return got == sorted(set(expect))


def summarize(ns_list):
    ms = [n / 1e6 for n in ns_list]
    return {
        "median_ms": round(statistics.median(ms), 3),
        "min_ms": round(min(ms), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "stdev_ms": round(statistics.stdev(ms), 3) if len(ms) > 1 else 0.0,
        "runs_ms": [round(x, 3) for x in ms],
    }


def measure_floor(meta, scratch, runs):
    """Spawning /bin/true the same way: the floor under every number."""
    cmd = {"argv": ["/bin/true"], "cwd": scratch}
    return summarize([run_timed(meta, cmd)[0] for _ in range(runs)])


def measure_case(meta, case, scratch):
    runs = int(meta["runs"])
    rss_runs = int(meta.get("rss_runs", 3))
    sides = [s for s in ("ours", "ref") if s in case["sides"]]
    result = {"id": case["id"], "title": case["title"],
              "wall_target": case.get("wall_target"),
              "rss_target": case.get("rss_target"),
              "notes": case["notes"], "skipped": case["skips"], "sides": {}}
    snaps = {}
    for side in sides:
        cmd = case["sides"][side]
        snaps[side] = stat_keep(cmd)
        out, err = run_capture(meta, cmd)
        ok = check_actions(case, side, out, err)
        result["sides"][side] = {
            "argv": cmd["argv"], "actions_ok": ok,
            "output": (out + err)[:4000], "wall_ns": [], "maxrss_kb": []}
        if ok is False:
            result["notes"].append(
                "ours: printed actions do not name exactly %s"
                % " ".join(case["expect_folders"]))
    for i in range(runs):
        order = sides if i % 2 == 0 else list(reversed(sides))
        for side in order:
            ns, rss = run_timed(meta, case["sides"][side])
            result["sides"][side]["wall_ns"].append(ns)
            result["sides"][side]["maxrss_kb"].append(rss)
    for i in range(rss_runs):
        order = sides if i % 2 == 0 else list(reversed(sides))
        for side in order:
            r = result["sides"][side]
            r.setdefault("rss_time_kb", []).append(
                run_rss(meta, case["sides"][side], scratch, side))
    for side in sides:
        if stat_keep(case["sides"][side]) != snaps[side]:
            raise HarnessError(
                "%s/%s: %s changed while measuring (the tool rewrote its "
                "binary instead of loading it)"
                % (case["id"], side, ", ".join(snaps[side])))
        r = result["sides"][side]
        r.update(summarize(r.pop("wall_ns")))
        r["rss_kb"] = max(r["rss_time_kb"])
        r["wait4_maxrss_kb"] = max(r.pop("maxrss_kb"))
    if len(sides) == 2:
        ours, ref = result["sides"]["ours"], result["sides"]["ref"]
        wall = ref["median_ms"] / ours["median_ms"]
        rss = ref["rss_kb"] / ours["rss_kb"]
        result["wall_ratio"] = round(wall, 2)
        result["rss_ratio"] = round(rss, 2)
        # Targets are judged on the unrounded ratios.
        if result["wall_target"] is not None:
            result["wall_met"] = wall >= result["wall_target"]
        if result["rss_target"] is not None:
            result["rss_met"] = rss >= result["rss_target"]
    return result


def fmt_time(side):
    if side is None:
        return "-"
    return "%.2f (%.2f)" % (side["median_ms"], side["min_ms"])


def fmt_ratio(res, key, target_key, met_key):
    """The ratio cell and the target cell ("MISSED" appended if missed)."""
    target = res.get(target_key)
    if target is None:
        ttext = ""
    elif target == 1:
        ttext = "no higher"
    else:
        ttext = ">= %gx" % target
    if key not in res:
        return "-", ttext
    if target is not None and not res.get(met_key):
        ttext += " MISSED"
    return "%.2fx" % res[key], ttext


def print_table(meta, results, checks, notes, floor):
    print()
    print("%s  (runs=%s, wall = median (min) ms over the runs, RSS = peak "
          "KB, ratio = reference / ours)" % (meta.get("title", "benchmark"),
                                             meta["runs"]))
    hdr = ("%-30s %17s %17s %8s %-15s %9s %9s %6s %-13s"
           % ("case", "reference ms", "ours ms", "ratio", "target",
              "ref RSS", "ours RSS", "ratio", "target"))
    print(hdr)
    print("-" * len(hdr))
    for res in results:
        ref = res["sides"].get("ref")
        ours = res["sides"].get("ours")
        wr, wt = fmt_ratio(res, "wall_ratio", "wall_target", "wall_met")
        rr, rt = fmt_ratio(res, "rss_ratio", "rss_target", "rss_met")
        print("%-30s %17s %17s %8s %-15s %9s %9s %6s %-13s" % (
            res["title"][:30], fmt_time(ref), fmt_time(ours), wr, wt,
            ref["rss_kb"] if ref else "-", ours["rss_kb"] if ours else "-",
            rr, rt))
    for c in checks:
        status = {"pass": "ok", "fail": "MISSED", "info": "info",
                  "skip": "skipped"}.get(c["status"], c["status"])
        print("%-30s %s: %s" % (c["title"][:30], status, c.get("detail", "")))
    print("-" * len(hdr))
    print("process spawn floor (/bin/true): %.2f ms median"
          % floor["median_ms"])
    for res in results:
        for side, why in sorted(res["skipped"].items()):
            print("%s: %s column skipped: %s" % (res["id"], side, why))
        for n in res["notes"]:
            print("%s: %s" % (res["id"], n))
    for n in notes:
        print("note: %s" % n)


# --- delivery benchmarks (bench/deliver.sh): meta "mode": "deliver" --------
#
# Three sides, "ours", "ref" and "floor", each delivering the message on its
# "stdin" into its own Maildir++ (cmd "maildir": {"root": DIR, "folders":
# [names that must receive every delivery, "INBOX" for the root], "mkdirs":
# true to create tmp/new/cur after a reset}).  Before a case each side's
# Maildir is removed (reset); after it, every side's Maildir must hold
# exactly one message per delivery in each expected folder and nothing
# elsewhere (else harness error).  Timed cases add CPU time (user + system
# from wait4) to each run.  Throughput cases ("kind": "throughput",
# "messages": N, "streams": S) deliver N messages in S concurrent streams
# of N/S spawns each and report messages per second.

SIDES3 = ("ours", "ref", "floor")


def maildir_counts(root):
    """{folder: messages in new/ + cur/} of a Maildir++ root (non-empty)."""
    def count(d):
        n = 0
        for sub in ("new", "cur"):
            try:
                with os.scandir(os.path.join(d, sub)) as it:
                    n += sum(1 for e in it if e.is_file()
                             and not e.name.startswith("."))
            except FileNotFoundError:
                pass
        return n
    counts = {}
    if not os.path.isdir(root):
        return counts
    counts["INBOX"] = count(root)
    with os.scandir(root) as it:
        for e in it:
            if e.is_dir() and e.name.startswith(".") and len(e.name) > 1:
                counts[e.name[1:].replace(".", "/")] = count(e.path)
    return {k: v for k, v in counts.items() if v}


def maildir_reset(cmd):
    md = cmd.get("maildir")
    if not md:
        return
    shutil.rmtree(md["root"], ignore_errors=True)
    if md.get("mkdirs"):
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(md["root"], sub), exist_ok=True)


def maildir_verify(case_id, side, cmd, deliveries):
    md = cmd.get("maildir")
    if not md:
        return None
    want = {f: deliveries for f in md["folders"]}
    got = maildir_counts(md["root"])
    if got != want:
        raise HarnessError(
            "%s/%s: after %d deliveries the Maildir %s holds %s, expected %s"
            % (case_id, side, deliveries, md["root"],
               json.dumps(got, sort_keys=True),
               json.dumps(want, sort_keys=True)))
    return got


def daemon_cpu_ms(pid):
    """CPU time so far of a daemon (master pid) and its children, in ms:
    the master's utime+stime+cutime+cstime plus every live child's
    utime+stime.  None when there is no daemon or /proc cannot be read."""
    if not pid:
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def fields(p):
        with open("/proc/%s/stat" % p, encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()
    try:
        f = fields(pid)
    except OSError:
        return None
    total = sum(int(x) for x in f[11:15])
    for d in os.listdir("/proc"):
        if not d.isdigit() or d == str(pid):
            continue
        try:
            c = fields(d)
        except OSError:
            continue
        if c[1] == str(pid):
            total += int(c[11]) + int(c[12])
    return total * 1000.0 / tick


def cpu_summary(ns_list):
    ms = [n / 1e6 for n in ns_list]
    return {"cpu_median_ms": round(statistics.median(ms), 3),
            "cpu_min_ms": round(min(ms), 3),
            "cpu_runs_ms": [round(x, 3) for x in ms]}


def side_order(sides, i):
    """Round i's order: rotated every round, reversed every other cycle."""
    k = i % len(sides)
    order = list(sides[k:]) + list(sides[:k])
    return order if (i // len(sides)) % 2 == 0 else list(reversed(order))


def measure_deliver_case(meta, case, scratch):
    runs = int(meta["runs"])
    rss_runs = int(meta.get("rss_runs", 3))
    sides = [s for s in SIDES3 if s in case["sides"]]
    result = {"id": case["id"], "title": case["title"], "kind": "timed",
              "wall_target": case.get("wall_target"),
              "floor_target": case.get("floor_target"),
              "rss_target": case.get("rss_target"),
              "notes": case["notes"], "skipped": case["skips"], "sides": {}}
    snaps = {}
    for side in sides:
        cmd = case["sides"][side]
        maildir_reset(cmd)
        snaps[side] = stat_keep(cmd)
        out, err = run_capture(meta, cmd)
        result["sides"][side] = {
            "argv": cmd["argv"], "stdin": cmd.get("stdin"),
            "output": (out + err)[:4000], "wall_ns": [], "maxrss_kb": [],
            "cpu_ns": []}
    for i in range(runs):
        for side in side_order(sides, i):
            ns, rss, cpu = run_timed(meta, case["sides"][side], True)
            r = result["sides"][side]
            r["wall_ns"].append(ns)
            r["maxrss_kb"].append(rss)
            r["cpu_ns"].append(cpu)
    for i in range(rss_runs):
        for side in side_order(sides, i):
            result["sides"][side].setdefault("rss_time_kb", []).append(
                run_rss(meta, case["sides"][side], scratch, side))
    for side in sides:
        cmd = case["sides"][side]
        if stat_keep(cmd) != snaps[side]:
            raise HarnessError(
                "%s/%s: %s changed while measuring (the compiled script was "
                "rewritten instead of loaded)"
                % (case["id"], side, ", ".join(snaps[side])))
        r = result["sides"][side]
        r["deliveries"] = 1 + runs + rss_runs
        r["maildir"] = maildir_verify(case["id"], side, cmd,
                                      r["deliveries"])
        r.update(summarize(r.pop("wall_ns")))
        r.update(cpu_summary(r.pop("cpu_ns")))
        r["rss_kb"] = max(r["rss_time_kb"])
        r["wait4_maxrss_kb"] = max(r.pop("maxrss_kb"))
    S = result["sides"]
    if "ours" in S and "ref" in S:
        wall = S["ref"]["median_ms"] / S["ours"]["median_ms"]
        rss = S["ref"]["rss_kb"] / S["ours"]["rss_kb"]
        result["wall_ratio"] = round(wall, 2)
        result["rss_ratio"] = round(rss, 2)
        result["cpu_ratio"] = round(S["ref"]["cpu_median_ms"]
                                    / max(S["ours"]["cpu_median_ms"], 1e-3),
                                    2)
        if result["wall_target"] is not None:
            result["wall_met"] = wall >= result["wall_target"]
        if result["rss_target"] is not None:
            result["rss_met"] = rss >= result["rss_target"]
    if "ours" in S and "floor" in S:
        fl = S["ours"]["median_ms"] / S["floor"]["median_ms"]
        result["floor_ratio"] = round(fl, 2)
        if result["floor_target"] is not None:
            result["floor_met"] = fl <= result["floor_target"]
    return result


def run_stream(meta, cmd, n, errors):
    try:
        for _ in range(n):
            run_timed(meta, cmd)
    except HarnessError as e:
        errors.append(e)


def measure_throughput_case(meta, case, scratch):
    streams = int(case.get("streams", 1))
    per = int(case["messages"]) // streams
    sides = [s for s in SIDES3 if s in case["sides"]]
    result = {"id": case["id"], "title": case["title"],
              "kind": "throughput", "streams": streams,
              "messages": per * streams, "notes": case["notes"],
              "skipped": case["skips"], "sides": {}}
    for side in sides:
        cmd = case["sides"][side]
        maildir_reset(cmd)
        run_capture(meta, cmd)                  # warm-up, not counted
        dpid = meta.get("daemon_pid") if side == "ref" else None
        d0 = daemon_cpu_ms(dpid)
        errors = []
        threads = [threading.Thread(target=run_stream,
                                    args=(meta, cmd, per, errors))
                   for _ in range(streams)]
        t0 = time.perf_counter_ns()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t1 = time.perf_counter_ns()
        if errors:
            raise errors[0]
        d1 = daemon_cpu_ms(dpid)
        secs = (t1 - t0) / 1e9
        r = {"argv": cmd["argv"], "seconds": round(secs, 3),
             "per_s": round(per * streams / secs, 1),
             "deliveries": 1 + per * streams}
        if d0 is not None and d1 is not None:
            r["daemon_cpu_ms"] = round(d1 - d0, 1)
        r["maildir"] = maildir_verify(case["id"], side, cmd,
                                      r["deliveries"])
        result["sides"][side] = r
    S = result["sides"]
    if "ours" in S and "ref" in S:
        result["ratio"] = round(S["ours"]["per_s"] / S["ref"]["per_s"], 2)
    if "ours" in S and "floor" in S:
        result["floor_ratio"] = round(S["floor"]["per_s"]
                                      / S["ours"]["per_s"], 2)
    return result


def fmt_target(res, key, met_key, fmt):
    t = res.get(key)
    if t is None:
        return ""
    return fmt % t + ("" if res.get(met_key, True) else " MISSED")


def print_deliver_table(meta, results, checks, notes, floor):
    timed = [r for r in results if r["kind"] == "timed"]
    tput = [r for r in results if r["kind"] == "throughput"]

    def cell(r, side, fmt, *keys):
        s = r["sides"].get(side)
        return fmt % tuple(s[k] for k in keys) if s else "-"

    def ratio(r, key):
        return "%.2fx" % r[key] if key in r else "-"
    print()
    print("%s  (runs=%s; ms = median (min) over the runs; ratio = "
          "reference / ours; floor ratio = ours / floor)"
          % (meta.get("title", "benchmark"), meta["runs"]))
    hdr = ("%-24s %15s %15s %15s %7s %-12s %7s %-13s"
           % ("wall time", "reference ms", "ours ms", "floor ms", "ratio",
              "target", "/floor", "target"))
    print(hdr)
    print("-" * len(hdr))
    for r in timed:
        print("%-24s %15s %15s %15s %7s %-12s %7s %-13s" % (
            r["title"][:24],
            cell(r, "ref", "%.2f (%.2f)", "median_ms", "min_ms"),
            cell(r, "ours", "%.2f (%.2f)", "median_ms", "min_ms"),
            cell(r, "floor", "%.2f (%.2f)", "median_ms", "min_ms"),
            ratio(r, "wall_ratio"),
            fmt_target(r, "wall_target", "wall_met", ">= %gx"),
            ratio(r, "floor_ratio"),
            fmt_target(r, "floor_target", "floor_met", "<= %gx")))
    print()
    hdr2 = ("%-24s %8s %8s %8s %7s   %9s %9s %9s %7s %-13s"
            % ("CPU (user+sys), RSS", "ref ms", "ours ms", "floor ms",
               "ratio", "ref KB", "ours KB", "floor KB", "ratio", "target"))
    print(hdr2)
    print("-" * len(hdr2))
    for r in timed:
        print("%-24s %8s %8s %8s %7s   %9s %9s %9s %7s %-13s" % (
            r["title"][:24],
            cell(r, "ref", "%.2f", "cpu_median_ms"),
            cell(r, "ours", "%.2f", "cpu_median_ms"),
            cell(r, "floor", "%.2f", "cpu_median_ms"),
            ratio(r, "cpu_ratio"),
            cell(r, "ref", "%d", "rss_kb"), cell(r, "ours", "%d", "rss_kb"),
            cell(r, "floor", "%d", "rss_kb"), ratio(r, "rss_ratio"),
            fmt_target(r, "rss_target", "rss_met", ">= %gx")))
    if tput:
        print()
        hdr3 = ("%-34s %12s %12s %12s %8s %8s"
                % ("throughput (messages/s)", "reference", "ours", "floor",
                   "ours/ref", "fl/ours"))
        print(hdr3)
        print("-" * len(hdr3))
        for r in tput:
            print("%-34s %12s %12s %12s %8s %8s" % (
                r["title"][:34], cell(r, "ref", "%.1f", "per_s"),
                cell(r, "ours", "%.1f", "per_s"),
                cell(r, "floor", "%.1f", "per_s"), ratio(r, "ratio"),
                ratio(r, "floor_ratio")))
        for r in tput:
            ref = r["sides"].get("ref", {})
            if "daemon_cpu_ms" in ref:
                print("%s: reference's daemons (auth, stats, log...) used "
                      "%.0f ms CPU besides the LDA processes"
                      % (r["id"], ref["daemon_cpu_ms"]))
    for c in checks:
        status = {"pass": "ok", "fail": "MISSED", "info": "info",
                  "skip": "skipped"}.get(c["status"], c["status"])
        print("%-30s %s: %s" % (c["title"][:30], status, c.get("detail", "")))
    print("process spawn floor (/bin/true): %.2f ms median"
          % floor["median_ms"])
    for r in results:
        for side, why in sorted(r["skipped"].items()):
            print("%s: %s column skipped: %s" % (r["id"], side, why))
        for n in r["notes"]:
            print("%s: %s" % (r["id"], n))
    for n in notes:
        print("note: %s" % n)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: measure.py SPEC.jsonl RESULT.json\n")
        return 2
    try:
        meta, cases, checks, notes = load_spec(sys.argv[1])
        scratch = meta["scratch"]
        deliver = meta.get("mode") == "deliver"
        results = []
        for c in cases:
            if not deliver:
                results.append(measure_case(meta, c, scratch))
            elif c.get("kind") == "throughput":
                results.append(measure_throughput_case(meta, c, scratch))
            else:
                results.append(measure_deliver_case(meta, c, scratch))
        floor = measure_floor(meta, scratch, int(meta["runs"]))
    except HarnessError as e:
        sys.stderr.write("measure.py: harness error: %s\n" % e)
        return 2
    doc = {
        "benchmark": meta.get("title"),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"machine": platform.machine(), "kernel": platform.release(),
                 "cpus": os.cpu_count(), "cpu": cpu_model()},
        "method": {"timer": "python3 time.perf_counter_ns around fork..wait4",
                   "runs": int(meta["runs"]),
                   "rss": "max of %d runs of %s -f %%M"
                          % (int(meta.get("rss_runs", 3)),
                             meta.get("time", "/usr/bin/time")),
                   "user": meta.get("user") or None,
                   "uid": os.geteuid()},
        "info": meta.get("info", {}),
        "spawn_floor": floor,
        "cases": results,
        "checks": checks,
        "notes": notes,
    }
    if deliver:
        print_deliver_table(meta, results, checks, notes, floor)
    else:
        print_table(meta, results, checks, notes, floor)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


if __name__ == "__main__":
    sys.exit(main())
