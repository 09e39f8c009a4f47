"""The suite is safe to run in pytest-xdist workers: each worker keeps its own instance folder and
server ports, and the `alone` lock (tests/alone.py) keeps marked tests apart from every other."""
from __future__ import annotations

import fcntl
import os
import socket
import threading

from scheduler import config
from tests.alone import AloneLock
from tests.conftest import RUN_DIR
from tests.dbutil import WORKER_ID
from tests.ports import HOST, reserve_port

PAUSE = 0.01
ATTEMPTS = 3000  # PAUSE × ATTEMPTS: what a step may take before the test gives up


def _eventually(condition) -> None:
    pause = threading.Event()
    for _ in range(ATTEMPTS):
        if condition():
            return
        pause.wait(PAUSE)
    raise AssertionError("gave up waiting")


def test_each_worker_has_its_own_instance_folder_inside_the_runs_folder():
    assert os.environ.get("PYTEST_XDIST_WORKER", "main") == WORKER_ID
    assert config.INSTANCE_DIR == RUN_DIR / f"instance-{WORKER_ID}"
    assert config.PROJECT_ROOT not in config.INSTANCE_DIR.parents


def _port_zero() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def test_a_reserved_port_is_not_handed_out_as_port_zero_but_a_server_can_bind_it():
    reserved, merely_free = reserve_port(), _port_zero()
    handed_out = set()
    for _ in range(200_000):  # until the OS hands out the merely free port again
        handed_out.add(_port_zero())
        if merely_free in handed_out:
            break
    assert merely_free in handed_out and reserved not in handed_out
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, reserved))
        server.listen()


def _turnstile_is_held(folder) -> bool:
    descriptor = os.open(folder / "alone-turnstile.lock", os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing also releases a lock the probe took
    return False


def test_an_alone_test_waits_for_the_running_test_and_then_goes_before_any_later_one(tmp_path):
    # flock locks belong to open files, so three AloneLocks in three threads contend as three
    # worker processes would.
    running, alone, later = AloneLock(tmp_path), AloneLock(tmp_path), AloneLock(tmp_path)
    order: list[str] = []
    alone_done = threading.Event()

    def run_alone():
        alone.acquire(is_alone=True)
        order.append("alone")
        alone_done.wait()
        alone.release()

    def run_later():
        later.acquire(is_alone=False)
        order.append("later")
        later.release()

    running.acquire(is_alone=False)
    alone_thread = threading.Thread(target=run_alone)
    alone_thread.start()
    _eventually(lambda: _turnstile_is_held(tmp_path))  # the alone test is waiting
    later_thread = threading.Thread(target=run_later)
    later_thread.start()
    assert order == []  # a shared lock is held: the alone test waits
    running.release()
    _eventually(lambda: order == ["alone"])
    assert later_thread.is_alive()  # it came after the alone test began: it waits for its end
    alone_done.set()
    alone_thread.join()
    later_thread.join()
    assert order == ["alone", "later"]
    for lock in (running, alone, later):
        lock.close()


def test_two_alone_tests_take_turns(tmp_path):
    first, second = AloneLock(tmp_path), AloneLock(tmp_path)
    first.acquire(is_alone=True)
    entered = threading.Event()
    waiter = threading.Thread(target=lambda: (second.acquire(is_alone=True), entered.set()))
    waiter.start()
    _eventually(lambda: _turnstile_is_held(tmp_path))
    assert not entered.is_set()
    first.release()
    waiter.join()
    assert entered.is_set()
    first.close()
    second.close()
