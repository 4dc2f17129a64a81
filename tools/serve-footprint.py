#!/usr/bin/python3
"""Start-to-ready time and memory of the sample service: the NativeAOT build against the JIT build (README "NativeAOT").

  /usr/bin/python3 tools/serve-footprint.py [--runs 5] [--requests 40] [--threads 2] [--photo PATH]

Needs artifacts/serve-aot/cardinal-serve (tools/serve-aot.sh) and a Release build of tools/Cardinal.Serve. Each run
starts the service on a free loopback port and times spawn → first 200 from /health/ready (the model loaded and
warmed, the server listening), reads VmRSS then, sends --requests embeds of the photo one after another, and reads
VmRSS and VmHWM (peak) again. Prints medians over the runs, for the JIT build at its own ISA tier, the JIT build at
the AOT build's tier, and the AOT build.
"""
import argparse, json, os, socket, statistics, subprocess, time, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--requests", type=int, default=40)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--photo", default="/usr/lib/python3/dist-packages/skimage/data/chelsea.png")
parser.add_argument("--aot", default=os.path.join(root, "artifacts/serve-aot/cardinal-serve"))
parser.add_argument("--jit", default=os.path.join(root, "tools/Cardinal.Serve/bin/Release/net10.0/cardinal-serve.dll"))
args = parser.parse_args()
photo = open(args.photo, "rb").read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024  # MiB
    return fields


def run_once(command, isa):
    port = free_port()
    env = dict(os.environ)
    if isa:
        env["CARDINAL_CPU_ISA"] = isa
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    p = subprocess.Popen(command + ["--urls", url, "--threads", str(args.threads), "--drain-seconds", "0"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if p.poll() is not None:
                raise SystemExit(f"{command[0]} exited with {p.returncode}")
            try:
                if urllib.request.urlopen(url + "/health/ready", timeout=5).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.005)
        ready = time.perf_counter() - started
        at_ready = status(p.pid)["VmRSS"]
        backend = json.load(urllib.request.urlopen(url + "/v1/model"))["backend"]
        latencies = []
        for _ in range(args.requests):
            request = urllib.request.Request(url + "/v1/embed", data=photo, headers={"Content-Type": "image/png"})
            t = time.perf_counter()
            urllib.request.urlopen(request).read()
            latencies.append(time.perf_counter() - t)
        after = status(p.pid)
        return ready, at_ready, after["VmRSS"], after["VmHWM"], statistics.median(latencies), backend
    finally:
        p.kill()
        p.wait()


def aot_tier():
    _, _, _, _, _, backend = run_once([args.aot], None) if args.requests else (0, 0, 0, 0, 0, "")
    return backend.split(", ")[1].split(" ")[0]


tier = aot_tier()
builds = [("JIT", ["dotnet", args.jit], None), (f"JIT, {tier}", ["dotnet", args.jit], tier), ("NativeAOT", [args.aot], None)]
print(f"{args.runs} runs each, medians; --threads {args.threads}; {args.requests} embeds of {os.path.basename(args.photo)} per run")
print("| build | backend | start → ready | RSS at ready | RSS after | peak RSS | embed p50 |")
print("|---|---|---|---|---|---|---|")
for name, command, isa in builds:
    # Interleave nothing: one build's runs back to back, after one untimed run to warm the file cache.
    run_once(command, isa)
    results = [run_once(command, isa) for _ in range(args.runs)]
    m = lambda i: statistics.median(r[i] for r in results)
    print(f"| {name} | {results[0][5]} | {m(0) * 1000:.0f} ms | {m(1):.0f} MiB | {m(2):.0f} MiB | {m(3):.0f} MiB | {m(4) * 1000:.1f} ms |")
