"""Executors give the same table; a Dask cluster on loopback; cancel stops outstanding work."""

import threading
import time

import pandas as pd
import pytest

from hxstudio.examples import psp
from hxstudio.sweep import DaskExecutor, LocalExecutor, Sweep
from hxstudio.sweep.job import chunk_size_for

distributed = pytest.importorskip("distributed")

GRID = {"neuron.threshold": [100.0, 125.0, 300.0], "excitatory→neuron.scale": [0.8, 1.0, 1.2]}


def _table(executor, metric="latency:neuron", **kw):
    return Sweep(psp(), GRID, metric).run(executor, **kw).drop(columns="wall_time")


@pytest.fixture(scope="module")
def reference():
    table = _table("threads")
    # real numbers: threshold 100 with the default weight fires on the first EPSP at 16 µs, with
    # 0.8× weights only on the summed EPSPs at 75 µs; 300 CADC LSB is refused by the document
    assert table["value"][:3].tolist() == pytest.approx([75e-6, 16e-6, 14e-6])
    assert table["error"][6:].str.startswith("population 'neuron': threshold = 300 CADC LSB").all()
    return table


def test_in_process_and_local_dask_cluster_give_the_same_table(reference):
    pd.testing.assert_frame_equal(_table(None), reference)  # the default: this machine
    executor = DaskExecutor(n_workers=2, processes=False)   # a LocalCluster started and stopped here
    pd.testing.assert_frame_equal(_table(executor), reference)
    assert executor.client is None and executor.cluster is None


def test_existing_scheduler_by_address_is_left_running(reference):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        pd.testing.assert_frame_equal(_table(address), reference)
        with distributed.Client(address) as client:  # still up, and usable as a client too
            assert len(client.scheduler_info()["workers"]) == 1
            pd.testing.assert_frame_equal(_table(client), reference)


def test_worker_processes_give_the_same_table_and_take_lambdas(reference):
    executor = LocalExecutor(workers=1, kind="process")  # one spawned worker keeps the test short
    pd.testing.assert_frame_equal(_table(executor), reference)
    assert executor.used_processes
    spikes = Sweep(psp(), GRID, lambda result, network: float(result["neuron"].spikes.sum())).run(executor)
    rates = _table("threads", metric="rate:neuron")["value"]
    assert spikes["value"][:6].tolist() == [3.0, 5.0, 6.0, 1.0, 1.0, 2.0]
    assert spikes["value"][:6].tolist() == pytest.approx((rates[:6] * 120e-6).tolist())  # rate = spikes / T
    auto = LocalExecutor(workers=1)  # the pool is warm now: the automatic executor uses it at once
    pd.testing.assert_frame_equal(_table(auto), reference)
    assert auto.used_processes


def test_chunking_and_torch_threads_restored():
    import torch

    assert [chunk_size_for(n, 2) for n in (1, 9, 400, 10_000)] == [1, 2, 50, 64]
    before = torch.get_num_threads()
    seen = []
    job = Sweep(psp(), GRID, "latency:neuron").start("threads", on_point=lambda r: seen.append(torch.get_num_threads()))
    job.wait()
    assert job.chunk_size == 2 and job.progress == (9, 9)
    assert set(seen) == {1} and torch.get_num_threads() == before  # one torch thread per worker, then restored


@pytest.mark.parametrize("executor", ["threads", None, "dask-inproc"])
def test_cancel_stops_outstanding_points(executor):
    if executor == "dask-inproc":
        executor = DaskExecutor(n_workers=1, threads_per_worker=2, processes=False)

    def _slow(result, network):  # local: sent by value, so a worker process need not import this file
        time.sleep(0.05)
        return float(result["neuron"].spikes.sum())

    sweep = Sweep(psp(), {"neuron.threshold": [float(t) for t in range(100, 140)]}, _slow)
    first = threading.Event()
    job = sweep.start(executor, chunk_size=2, on_point=lambda record: first.set())
    assert first.wait(20)
    job.cancel()
    start = time.perf_counter()
    assert job.wait(10)
    assert time.perf_counter() - start < 3
    done, total = job.progress
    assert job.cancelled and job.error is None and total == 40 and 1 <= done <= 12
    table = job.table()
    assert len(table) == done and (table["error"] == "").all()
    assert len(list(job)) == done  # the stream ends too
