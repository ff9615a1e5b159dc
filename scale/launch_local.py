# A stand-in for `torchrun --standalone --nproc_per_node N` on one machine: starts N processes of a script with
# torchrun's environment contract (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK) and nothing else.
# For Debian's python3-torch, whose torchrun fails on Python 3.11 inside its elastic agent; the tests use it too.
#   python3 scale/launch_local.py --nproc 2 scale/continue_pretraining.py --ckpt ... --out ...
# Forwards SIGTERM/SIGINT to the processes, stops the others when one fails, exits with the worst exit code.
import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv):
    p = argparse.ArgumentParser(prog="launch_local.py")
    p.add_argument("--nproc", type=int, default=1, help="processes on this machine")
    p.add_argument("--threads", type=int, help="CPU threads per process (default: the cores shared out)")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    threads = a.threads or max(1, (os.cpu_count() or 1) // a.nproc)
    port = str(free_port())
    procs = []
    for rank in range(a.nproc):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, WORLD_SIZE=str(a.nproc), RANK=str(rank))
        env.update(LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(a.nproc), OMP_NUM_THREADS=str(threads))
        procs.append(subprocess.Popen([sys.executable, a.script, *a.args], env=env))

    def forward(signum, frame):
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while any(proc.poll() is None for proc in procs):
        if any(proc.poll() not in (None, 0) for proc in procs):
            # One failed: the others would wait for it in a collective forever.
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
        time.sleep(0.05)
    return max(abs(proc.returncode) for proc in procs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
