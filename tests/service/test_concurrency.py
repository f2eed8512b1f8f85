"""Several clients at once; the GPU lane runs one job at a time, the CPU lane several."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from videomama_client import Client

from videomama.config import ServerConfig
from videomama.jobs.events import Finished, Queued
from videomama.jobs.job import Job, JobKind, JobState
from videomama.jobs.lanes import CPU, GPU
from videomama.jobs.manager import JobManager

from .support import SETTINGS, assert_same_frames, wait_for


def test_four_concurrent_clients_all_complete(clip, daemon, tmp_path):
    def one_client(index: int):
        with Client(daemon.address) as client:
            output = tmp_path / f"client{index}" / "matte.####.exr"
            return client.submit_matte(clip.plate, clip.mask, str(output), settings=SETTINGS).wait()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one_client, range(4)))
    assert [r.frames_written for r in results] == [len(clip.frames)] * 4
    for index in range(1, 4):
        assert_same_frames(tmp_path / "client0", tmp_path / f"client{index}")


class GatedWork:
    """Fake work that records how many jobs of a lane run at once, until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.running = 0
        self.most_at_once = 0
        self.order: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> Finished:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.order.append(job.id)
        self.release.wait(10)
        with self._lock:
            self.running -= 1
        return Finished("", "fake", 0, 0)


def fake_job(work: GatedWork, device: str) -> Job:
    return Job(JobKind.MATTE, work, device, "fake", "gated test job")


def test_gpu_jobs_run_one_at_a_time_in_order_and_report_queue_positions():
    manager = JobManager(ServerConfig(cpu_workers=4)).start()
    work = GatedWork()
    try:
        jobs = [manager.submit(fake_job(work, GPU)) for _ in range(3)]
        wait_for(lambda: jobs[0].state is JobState.RUNNING, what="first job running")
        assert [job.queue_position for job in jobs[1:]] == [1, 2]
        work.release.set()
        wait_for(lambda: all(job.state is JobState.SUCCEEDED for job in jobs), what="all jobs done")
    finally:
        work.release.set()
        manager.shutdown()
    assert work.most_at_once == 1
    assert work.order == [job.id for job in jobs]
    # The last job heard it moved up the queue as the others left.
    positions = [e.payload.position for e in jobs[2].log.follow() if isinstance(e.payload, Queued)]
    assert positions[-2:] == [2, 1]  # preceded by 3 if it was queued before the first job started


def test_cpu_jobs_run_side_by_side_up_to_the_worker_count():
    manager = JobManager(ServerConfig(cpu_workers=2)).start()
    work = GatedWork()
    try:
        jobs = [manager.submit(fake_job(work, CPU)) for _ in range(3)]
        wait_for(lambda: work.running == 2, what="two jobs running")
        time.sleep(0.1)
        assert jobs[2].state is JobState.QUEUED and work.running == 2
        work.release.set()
        wait_for(lambda: all(job.state is JobState.SUCCEEDED for job in jobs), what="all jobs done")
    finally:
        work.release.set()
        manager.shutdown()
    assert work.most_at_once == 2


def test_shutdown_cancels_what_waits_and_refuses_new_jobs():
    manager = JobManager(ServerConfig(cpu_workers=1)).start()
    work = GatedWork()
    running, waiting = manager.submit(fake_job(work, CPU)), manager.submit(fake_job(work, CPU))
    wait_for(lambda: running.state is JobState.RUNNING, what="first job running")
    work.release.set()  # the fake work ignores its stop token; let it end
    assert manager.shutdown(cancel_running=True, timeout=5)
    assert waiting.state is JobState.CANCELLED
    try:
        manager.submit(fake_job(work, CPU))
    except Exception as error:
        assert "shutting down" in str(error)
    else:
        raise AssertionError("a closed manager accepted a job")
