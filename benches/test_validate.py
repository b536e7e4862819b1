"""validate_pod_updates over realistic (old, new) pod pairs, against the cost
of merely loading the same JSON into Python with orjson."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest

import podcore

from _pods import CHANGES, update_pairs
from conftest import scaled

N = scaled(100_000, 700)
# Which changes the apiserver refuses on a running pod (see _pods.CHANGES).
FORBIDDEN = {"_forbidden_port_change", "_forbidden_env_change"}


@pytest.fixture(scope="module")
def dict_pairs() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return update_pairs(N)


@pytest.fixture(scope="module")
def byte_pairs(
    dict_pairs: list[tuple[dict[str, Any], dict[str, Any]]],
) -> list[tuple[bytes, bytes]]:
    return [(orjson.dumps(o), orjson.dumps(n)) for o, n in dict_pairs]


def _check(verdicts: list[list[podcore.FieldError]]) -> None:
    assert len(verdicts) == N
    for i, errs in enumerate(verdicts):
        change = CHANGES[i % len(CHANGES)].__name__
        if change in FORBIDDEN:
            assert [(e.field, e.type) for e in errs] == [("spec", "FieldValueForbidden")], change
        else:
            assert errs == [], (change, [str(e) for e in errs])


@pytest.mark.benchmark(group="validate-from-bytes")
def test_orjson_loads_baseline(benchmark: Any, byte_pairs: list[tuple[bytes, bytes]]) -> None:
    def load_all() -> int:
        loads = orjson.loads
        for old, new in byte_pairs:
            loads(old)
            loads(new)
        return len(byte_pairs)

    assert benchmark.pedantic(load_all, rounds=3, iterations=1) == N


@pytest.mark.benchmark(group="validate-from-bytes")
def test_validate_bytes_one_thread(benchmark: Any, byte_pairs: list[tuple[bytes, bytes]]) -> None:
    verdicts = benchmark.pedantic(
        podcore.validate_pod_updates, args=(byte_pairs,), kwargs={"threads": 1}, rounds=3
    )
    _check(verdicts)


@pytest.mark.benchmark(group="validate-from-bytes")
def test_validate_bytes_all_cores(benchmark: Any, byte_pairs: list[tuple[bytes, bytes]]) -> None:
    verdicts = benchmark.pedantic(podcore.validate_pod_updates, args=(byte_pairs,), rounds=3)
    _check(verdicts)


@pytest.mark.benchmark(group="validate-from-bytes")
def test_validate_bytes_two_python_threads(
    benchmark: Any, byte_pairs: list[tuple[bytes, bytes]]
) -> None:
    """Two Python threads, one core's worth each: scales only if the GIL is released."""
    half = len(byte_pairs) // 2
    parts = [byte_pairs[:half], byte_pairs[half:]]

    def run() -> list[list[podcore.FieldError]]:
        out: list[list[list[podcore.FieldError]]] = [[], []]

        def work(k: int) -> None:
            out[k] = podcore.validate_pod_updates(parts[k], threads=1)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return out[0] + out[1]

    _check(benchmark.pedantic(run, rounds=3))


@pytest.mark.benchmark(group="validate-from-dicts")
def test_validate_dicts(
    benchmark: Any, dict_pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    _check(benchmark.pedantic(podcore.validate_pod_updates, args=(dict_pairs,), rounds=3))
