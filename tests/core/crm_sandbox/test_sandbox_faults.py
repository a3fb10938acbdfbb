"""Fault injection and idempotency keys against the real HTTP server."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import requests

from crm_sandbox import FaultInjector, SandboxServer

AUTH = {"Authorization": "Bearer test-token"}


def _faults(client: httpx.Client, **knobs: object) -> None:
    r = client.post("/_sandbox/faults", json=knobs)
    assert r.status_code == 200, r.text


def _count(client: httpx.Client, obj: str = "contacts") -> int:
    return client.get("/_sandbox/counts").json()[obj]["total"]


def test_rate_limit_429_with_retry_after(client: httpx.Client) -> None:
    _faults(client, rate_limit={"requests": 100, "per_seconds": 10})
    statuses = [client.get("/crm/v3/objects/contacts", params={"limit": 1}).status_code for _ in range(100)]
    assert statuses == [200] * 100
    limited = client.get("/crm/v3/objects/contacts")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    assert limited.headers["X-HubSpot-RateLimit-Max"] == "100"
    assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    body = limited.json()
    assert body["category"] == "RATE_LIMITS" and body["errorType"] == "RATE_LIMIT" and body["status"] == "error"
    # a 429'd write is not applied
    assert client.post("/crm/v3/objects/contacts", json={"properties": {"email": "x@y.example"}}).status_code == 429
    assert _count(client) == 0
    assert client.get("/_sandbox/requests").json()["by_status"]["429"] == 2


def test_rate_limit_window_frees_up(client: httpx.Client) -> None:
    _faults(client, rate_limit="3/0.4s")
    assert [client.get("/crm/v3/objects/contacts").status_code for _ in range(4)] == [200, 200, 200, 429]
    time.sleep(0.45)
    assert client.get("/crm/v3/objects/contacts").status_code == 200


def test_seeded_error_rate_is_roughly_as_configured_and_deterministic(client: httpx.Client) -> None:
    def run() -> list[int]:
        _faults(client, error_rate=0.3, seed=42)
        return [client.get("/crm/v3/objects/contacts").status_code for _ in range(200)]

    first = run()
    errors = [s for s in first if s != 200]
    assert set(errors) <= {502, 503} and {502, 503} <= set(errors)
    assert 0.2 <= len(errors) / 200 <= 0.4
    assert run() == first  # same seed, same sequence
    client.delete("/_sandbox/faults")
    assert client.get("/crm/v3/objects/contacts").status_code == 200


def test_5xx_is_decided_before_a_write_is_applied(client: httpx.Client) -> None:
    _faults(client, next=["error", "error"])
    r = client.post("/crm/v3/objects/contacts/batch/create",
                    json={"inputs": [{"properties": {"email": f"e{i}@x.example"}} for i in range(10)]})
    assert r.status_code in (502, 503) and r.headers["X-Sandbox-Fault"] == "error"
    r = client.post("/crm/v3/objects/contacts", json={"properties": {"email": "one@x.example"}})
    assert r.status_code in (502, 503)
    assert _count(client) == 0


def test_dropped_connection_is_a_connection_error_and_applies_nothing(sandbox: SandboxServer,
                                                                     client: httpx.Client) -> None:
    _faults(client, next=["drop", "drop"])
    with pytest.raises(httpx.TransportError):
        client.post("/crm/v3/objects/contacts", json={"properties": {"email": "d@x.example"}})
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox.url}/crm/v3/objects/contacts", headers=AUTH, timeout=5)
    assert _count(client) == 0
    assert client.get("/_sandbox/requests").json()["by_status"]["dropped"] == 2
    assert client.get("/crm/v3/objects/contacts").status_code == 200  # server still fine


def test_drop_after_commit_applies_the_write(client: httpx.Client) -> None:
    _faults(client, next=["drop_after_commit"])
    with pytest.raises(httpx.TransportError):
        client.post("/crm/v3/objects/contacts", json={"properties": {"email": "c@x.example"}})
    assert _count(client) == 1
    # a naive retry without an idempotency key duplicates a plain create (the unique email blocks it here)
    retry = client.post("/crm/v3/objects/contacts", json={"properties": {"email": "c@x.example"}})
    assert retry.status_code == 409


def test_idempotency_key_replay_does_not_apply_twice(client: httpx.Client) -> None:
    body = {"inputs": [{"properties": {"firstname": f"NoEmail{i}"}} for i in range(3)]}
    headers = {"Idempotency-Key": "push-2024-01-01-batch-1"}
    _faults(client, next=["drop_after_commit"])
    with pytest.raises(httpx.TransportError):
        client.post("/crm/v3/objects/contacts/batch/create", json=body, headers=headers)
    assert _count(client) == 3  # applied although the client saw an error
    replay = client.post("/crm/v3/objects/contacts/batch/create", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert len(replay.json()["results"]) == 3
    assert _count(client) == 3
    again = client.post("/crm/v3/objects/contacts/batch/create", json=body, headers=headers)
    assert again.json() == replay.json()
    # the same key with another body is refused, nothing applied
    other = client.post("/crm/v3/objects/contacts/batch/create", json={"inputs": body["inputs"][:1]}, headers=headers)
    assert other.status_code == 422 and other.json()["category"] == "IDEMPOTENCY_KEY_REUSED"
    # without a key, the same body creates duplicates (no unique property involved)
    client.post("/crm/v3/objects/contacts/batch/create", json=body)
    assert _count(client) == 6


def test_slow_responses(client: httpx.Client) -> None:
    _faults(client, slow_rate=1.0, slow_seconds=0.3)
    t0 = time.monotonic()
    r = client.get("/crm/v3/objects/contacts")
    assert r.status_code == 200 and r.headers["X-Sandbox-Fault"] == "slow"
    assert time.monotonic() - t0 >= 0.3
    _faults(client, slow_rate=0.0)
    t0 = time.monotonic()
    client.get("/crm/v3/objects/contacts")
    assert time.monotonic() - t0 < 0.3


def test_faults_limited_to_methods_and_bad_knobs_rejected(client: httpx.Client) -> None:
    _faults(client, error_rate=1.0, methods=["POST"])
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    assert client.post("/crm/v3/objects/contacts", json={"properties": {}}).status_code in (502, 503)
    assert client.get("/_sandbox/faults").json()["error_rate"] == 1.0
    assert client.post("/_sandbox/faults", json={"error_rate": 2}).status_code == 400
    assert client.post("/_sandbox/faults", json={"explode": 1}).status_code == 400
    assert client.post("/_sandbox/faults", json={"next": ["meteor"]}).status_code == 400


def test_injector_is_deterministic_per_seed() -> None:
    def kinds(seed: int) -> list[str | None]:
        inj = FaultInjector()
        inj.configure({"error_rate": 0.2, "drop_rate": 0.1, "slow_rate": 0.1, "seed": seed})
        return [inj.decide("GET").kind for _ in range(300)]

    a = kinds(7)
    assert a == kinds(7) and a != kinds(8)
    assert 30 <= a.count("error") <= 90 and 10 <= a.count("drop") <= 55


def test_faults_configured_at_start() -> None:
    with SandboxServer(faults={"error_rate": 1.0, "seed": 1}) as server:
        assert httpx.get(f"{server.url}/crm/v3/objects/contacts").status_code in (502, 503)
        assert httpx.get(f"{server.url}/_sandbox/health").status_code == 200


def test_scripted_faults_only_hit_matching_methods(client: httpx.Client) -> None:
    _faults(client, methods=["POST"], next=["drop_after_commit"])
    assert client.get("/crm/v3/objects/contacts").status_code == 200  # a read does not consume it
    with pytest.raises(httpx.TransportError):
        client.post("/crm/v3/objects/contacts", json={"properties": {"email": "s@x.example"}})
    assert _count(client) == 1
    assert client.get("/_sandbox/faults").json()["next"] == []
    assert client.post("/crm/v3/objects/contacts", json={"properties": {"email": "t@x.example"}}).status_code == 201


def test_stopping_answers_requests_held_by_a_slow_fault() -> None:
    """A request sleeping in a slow-response fault gets a 503 when the server stops, not a cancelled task."""
    server = SandboxServer(faults={"slow_rate": 1.0, "slow_seconds": 30}).start()
    answers: list[httpx.Response | Exception] = []

    def call() -> None:
        try:
            answers.append(httpx.get(f"{server.url}/crm/v3/objects/contacts", timeout=20))
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            answers.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.5)  # the request is now inside the 30 s fault
    t0 = time.monotonic()
    server.close()
    caller.join(10)
    assert time.monotonic() - t0 < 10
    assert len(answers) == 1 and isinstance(answers[0], httpx.Response), answers
    assert answers[0].status_code == 503
    assert "sandbox stopping" in answers[0].json()["message"]
