"""Bounded process pools for the heavy per-image work: face encoding (dlib holds the GIL, so threads would
not help) and fingerprint minutiae extraction (LEADER's network, ~0.3-0.7 s and up to ~1 GB a worker)."""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from window_staff.biometrics.errors import EncoderBusy, ExtractorBusy

_INITIAL_SERVICE_SECONDS = 0.25  # typical HOG + encode on a terminal frame, until we measure
_EMA_WEIGHT = 0.2


def _worker_init() -> None:
    """Load face_recognition's models once per worker so each call does not pay the import."""
    from window_staff.biometrics import face

    face.preload()


def _finger_worker_init() -> None:
    """Load the LEADER network once per worker."""
    from window_staff.biometrics import leader

    leader.preload()


def _worker_extract(data: bytes, kwargs: dict[str, Any]) -> tuple[Any, float]:
    """Extract a fingerprint image's minutiae record in the worker, with the service time."""
    from window_staff.biometrics.minutiae import extract_minutiae

    started = time.perf_counter()
    record = extract_minutiae(data, **kwargs)
    return record, time.perf_counter() - started


def _worker_ping() -> None:
    """Do nothing; submitting one per worker makes the pool spawn and initialise them early."""


def _worker_encode(data: bytes, kwargs: dict[str, Any]) -> tuple[np.ndarray, float]:
    """Encode in the worker and report the service time, which excludes queueing."""
    from window_staff.biometrics.face import encode_face

    started = time.perf_counter()
    encoding = encode_face(data, **kwargs)
    return encoding, time.perf_counter() - started


def _default_context() -> multiprocessing.context.BaseContext:
    """Never fork: the API process runs threads (event loop helpers, DB drivers) that fork would clone."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class EncoderPool:
    """Process pool with an in-flight cap: beyond ``max_queue`` requests, fail fast with EncoderBusy.

    ``task(data, kwargs) -> (result, seconds)`` runs in the workers, after ``initializer``: face
    encoding by default, ``fingerprint_pool()`` for minutiae.
    """

    def __init__(
        self,
        *,
        max_workers: int = 2,
        max_queue: int = 8,
        defaults: Mapping[str, Any] | None = None,
        max_tasks_per_child: int | None = None,
        mp_context: multiprocessing.context.BaseContext | None = None,
        task: Callable[[bytes, dict[str, Any]], tuple[Any, float]] = _worker_encode,
        initializer: Callable[[], None] = _worker_init,
        busy: type[EncoderBusy] = EncoderBusy,
    ) -> None:
        if max_workers < 1 or max_queue < 1:
            raise ValueError("max_workers and max_queue must be at least 1")
        self.max_workers = max_workers
        self.max_queue = max_queue
        self._defaults = dict(defaults or {})
        self._max_tasks_per_child = max_tasks_per_child
        self._task = task
        self._initializer = initializer
        self._busy = busy
        self._context = mp_context or _default_context()
        self._executor: ProcessPoolExecutor | None = None
        # Slots are released from the executor's callback thread, hence a threading lock.
        self._lock = threading.Lock()
        self._in_flight = 0
        self._service_seconds = _INITIAL_SERVICE_SECONDS

    @property
    def in_flight(self) -> int:
        """Requests submitted and not finished (running or queued in the executor)."""
        return self._in_flight

    @property
    def started(self) -> bool:
        """Whether ``start()`` has been called and ``close()`` has not."""
        return self._executor is not None

    def start(self, *, warm: bool = True) -> None:
        """Create the executor (idempotent); with ``warm``, spawn and initialise workers now."""
        if self._executor is not None:
            return
        self._executor = self._new_executor()
        if warm:
            for _ in range(self.max_workers):
                self._executor.submit(_worker_ping)

    async def close(self) -> None:
        """Cancel queued work, wait for running work and stop the workers (idempotent)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    async def __aenter__(self) -> EncoderPool:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def encode(self, data: bytes, **kwargs: Any) -> Any:
        """Run the pool's task on ``data`` in a worker (the face's encoding, or a minutiae record); kwargs override the defaults."""
        executor = self._executor
        if executor is None:
            raise RuntimeError("EncoderPool is not started")
        with self._lock:
            if self._in_flight >= self.max_queue:
                raise self._busy(retry_after=self._retry_after_locked())
            self._in_flight += 1
        try:
            cf = executor.submit(self._task, data, {**self._defaults, **kwargs})
        except BrokenProcessPool:
            self._release(None)
            self._replace_broken(executor)
            raise self._busy(retry_after=1) from None
        except RuntimeError:  # submit after shutdown: the app is stopping
            self._release(None)
            raise self._busy(retry_after=1) from None

        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[np.ndarray] = loop.create_future()

        def on_done(done: Future[tuple[np.ndarray, float]]) -> None:
            # The slot is held until the worker really finishes, even if the caller gave up:
            # otherwise cancelled requests would let the executor's hidden queue grow unbounded.
            service = None
            if not done.cancelled() and done.exception() is None:
                service = done.result()[1]
            self._release(service)
            try:
                loop.call_soon_threadsafe(self._settle, waiter, done, executor)
            except RuntimeError:  # loop already closed: nobody is waiting
                pass

        cf.add_done_callback(on_done)
        try:
            return await waiter
        except asyncio.CancelledError:
            cf.cancel()  # only succeeds while still queued in the executor
            raise

    def _settle(self, waiter: asyncio.Future[np.ndarray], done: Future[Any], executor: ProcessPoolExecutor) -> None:
        """Copy the worker's outcome to the caller's future, in the event loop thread."""
        if waiter.done():
            return
        if done.cancelled():
            waiter.set_exception(self._busy(retry_after=1))
            return
        exc = done.exception()
        if isinstance(exc, BrokenProcessPool):
            self._replace_broken(executor)
            waiter.set_exception(self._busy(retry_after=1))
        elif exc is not None:
            waiter.set_exception(exc)
        else:
            waiter.set_result(done.result()[0])

    def _release(self, service_seconds: float | None) -> None:
        """Free one slot and fold the measured service time into the estimate."""
        with self._lock:
            self._in_flight -= 1
            if service_seconds is not None:
                self._service_seconds += _EMA_WEIGHT * (service_seconds - self._service_seconds)

    def _retry_after_locked(self) -> int:
        """Seconds until a slot is likely free: the queue ahead drained by all workers."""
        return max(1, math.ceil(self._in_flight * self._service_seconds / self.max_workers))

    def _replace_broken(self, broken: ProcessPoolExecutor) -> None:
        """A worker died (e.g. killed for memory): replace the whole executor, once."""
        with self._lock:
            if self._executor is not broken:
                return
            self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.max_workers,
            mp_context=self._context,
            initializer=self._initializer,
            max_tasks_per_child=self._max_tasks_per_child,
        )


def fingerprint_pool(*, max_workers: int = 1, max_queue: int = 8, defaults: Mapping[str, Any] | None = None) -> EncoderPool:
    """A pool that extracts minutiae records from fingerprint images (LEADER by default)."""
    return EncoderPool(
        max_workers=max_workers,
        max_queue=max_queue,
        defaults=defaults,
        task=_worker_extract,
        initializer=_finger_worker_init,
        busy=ExtractorBusy,
    )
