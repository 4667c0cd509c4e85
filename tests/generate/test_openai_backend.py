"""The openai backend against a local chat-completions server."""

from __future__ import annotations

import socket

import pytest

from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
from tests.generate.chat_server import ChatServer

MESSAGES = [{"role": "user", "content": "write tic-tac-toe"}]


def _backend(server: ChatServer, **options):
    return make_backend("openai", "test-model", base_url=server.base_url, **options)


def test_completions_come_back_with_token_counts() -> None:
    with ChatServer([(200, "def get_initial_state(): return {}")]) as server:
        results = dict(_backend(server).generate([MESSAGES, MESSAGES], [1, 2], SamplingParams(temperature=0.5)))
    assert results[0].text == "def get_initial_state(): return {}"
    assert results[1].prompt_tokens == 11 and results[1].completion_tokens == 4
    assert sorted(r["seed"] for r in server.requests) == [1, 2]
    assert all(r["temperature"] == 0.5 and r["model"] == "test-model" for r in server.requests)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_retried(status: int) -> None:
    with ChatServer([(status, "busy"), (status, "busy"), (200, "ok")]) as server:
        results = dict(_backend(server, concurrency=1).generate([MESSAGES], [0], SamplingParams()))
    assert results[0].text == "ok"
    assert len(server.requests) == 3


def test_persistent_errors_are_that_prompts_failure_and_the_others_go_on() -> None:
    with ChatServer(responder=lambda body: (500, "broken") if body["seed"] == 0 else (200, "ok")) as server:
        results = dict(_backend(server, max_retries=1).generate([MESSAGES, MESSAGES], [0, 1], SamplingParams()))
    assert results[0].text == "" and "500" in results[0].error and "broken" in results[0].error
    assert results[1].text == "ok" and results[1].error is None
    assert len(server.requests) == 3  # the failing prompt was retried once


def test_finished_completions_come_back_before_an_unreachable_endpoint_stops_the_run() -> None:
    import threading

    server = ChatServer([(200, "ok")])
    gate = threading.Event()

    def generations():
        with server:
            backend = _backend(server, concurrency=1, max_retries=0)
            for item in backend.generate([MESSAGES] * 3, [0, 1, 2], SamplingParams()):
                yield item
                if not gate.is_set():
                    gate.set()
                    server._server.shutdown()
                    server._server.server_close()

    received = []
    with pytest.raises(BackendError, match="cannot reach"):
        received.extend(generations())
    indices = [index for index, _ in received]
    assert indices[0] == 0 and len(indices) < 3 and all(g.text == "ok" for _, g in received)


def test_unreachable_endpoint_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = make_backend("openai", "m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    with pytest.raises(BackendError, match="cannot reach"):
        list(backend.generate([MESSAGES], [0], SamplingParams()))


def test_vllm_backend_missing_is_explained() -> None:
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401
    except ImportError:
        with pytest.raises(BackendError, match="vLLM"):
            make_backend("vllm", "some/model")
    else:
        pytest.skip("vllm is installed here")


def test_unknown_backend_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        make_backend("llamafile", "m")
