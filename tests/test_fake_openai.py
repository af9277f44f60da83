"""Prove the fake server speaks enough OpenAI for the real ``openai`` client.

Everything goes over real HTTP on 127.0.0.1, so these tests also guard the
transport behaviour the rest of the suite relies on (typed errors, timeouts,
keep-alive concurrency, Batch API shapes).
"""

from __future__ import annotations

import asyncio
import io
import json
import time

import openai
import pytest

try:  # works whether or not tests/ is a package
    from fake_openai import FakeOpenAI, Fault, RawToolCall, Stall, faulty_responder, queue_responder
except ImportError:  # pragma: no cover
    from tests.fake_openai import (FakeOpenAI, Fault, RawToolCall, Stall, faulty_responder,
                                   queue_responder)

PAYLOAD = {"events": [{"what": "launch", "when": "2024-05-01"}]}
MESSAGES = [{"role": "user", "content": "Summarize: a rocket launched."}]
TOOLS = [{
    "type": "function",
    "function": {
        "name": "Extraction",
        "description": "Events in the article",
        "parameters": {"type": "object", "properties": {"events": {"type": "array"}}},
    },
}]
TOOL_CHOICE = {"type": "function", "function": {"name": "Extraction"}}


def client_for(srv: FakeOpenAI, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0, **kwargs)


def chat(client: openai.OpenAI, **kwargs):
    return client.chat.completions.create(model="gpt-test", messages=MESSAGES, **kwargs)


def test_payload_comes_back_as_content():
    with FakeOpenAI(responder=lambda body, n: PAYLOAD) as srv:
        completion = chat(client_for(srv))
    assert json.loads(completion.choices[0].message.content) == PAYLOAD
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-test"
    assert completion.usage.prompt_tokens >= 1 and completion.usage.completion_tokens >= 1
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens)


def test_tools_request_gets_tool_call_arguments():
    with FakeOpenAI(responder=lambda body, n: PAYLOAD) as srv:
        completion = chat(client_for(srv), tools=TOOLS, tool_choice=TOOL_CHOICE)
    message = completion.choices[0].message
    assert message.content is None
    assert completion.choices[0].finish_reason == "tool_calls"
    (call,) = message.tool_calls
    assert call.type == "function" and call.function.name == "Extraction"
    assert json.loads(call.function.arguments) == PAYLOAD


def test_raw_strings_simulate_invalid_json():
    answers = queue_responder(["{not json", RawToolCall('{"events": [')])
    with FakeOpenAI(responder=answers) as srv:
        client = client_for(srv)
        assert chat(client).choices[0].message.content == "{not json"
        call = chat(client, tools=TOOLS, tool_choice=TOOL_CHOICE).choices[0].message.tool_calls[0]
    assert call.function.arguments == '{"events": ['


def test_rate_limit_fault_raises_with_retry_after():
    fault = Fault(429, headers={"Retry-After": "0.1"})
    with FakeOpenAI(responder=lambda body, n: fault) as srv:
        with pytest.raises(openai.RateLimitError) as excinfo:
            chat(client_for(srv))
    assert excinfo.value.status_code == 429
    assert excinfo.value.response.headers["retry-after"] == "0.1"


def test_server_error_fault_raises_internal_server_error():
    with FakeOpenAI(responder=lambda body, n: Fault(500)) as srv:
        with pytest.raises(openai.InternalServerError):
            chat(client_for(srv))


def test_client_retries_through_a_fault():
    answers = queue_responder([Fault(503, headers={"Retry-After": "0.01"}), PAYLOAD])
    with FakeOpenAI(responder=answers) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=2)
        completion = chat(client)
        assert srv.request_count == 2
    assert json.loads(completion.choices[0].message.content) == PAYLOAD


def test_stall_beyond_client_timeout_raises_timeout():
    with FakeOpenAI(responder=lambda body, n: Stall(2.0)) as srv:
        client = client_for(srv, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat(client)
        assert time.monotonic() - started < 1.5
        assert srv.request_count == 1


def test_requests_are_recorded_and_counted():
    seen = []

    def responder(body, n):
        seen.append(n)
        return {"n": n}

    with FakeOpenAI(responder=responder) as srv:
        client = client_for(srv)
        for _ in range(3):
            chat(client)
        assert srv.request_count == 3
        assert [r["model"] for r in srv.requests] == ["gpt-test"] * 3
        assert srv.requests[0]["messages"] == MESSAGES
    assert seen == [0, 1, 2]


def test_models_and_unknown_routes():
    with FakeOpenAI() as srv:
        client = client_for(srv)
        assert [m.id for m in client.models.list()] == ["fake-model"]
        with pytest.raises(openai.NotFoundError):
            client.get("/nope", cast_to=object)


def test_instructor_tools_mode_retries_invalid_arguments():
    instructor = pytest.importorskip("instructor")
    pydantic = pytest.importorskip("pydantic")

    class Event(pydantic.BaseModel):
        what: str

    answers = queue_responder([RawToolCall('{"wh'), {"what": 5}, {"what": "launch"}])
    with FakeOpenAI(responder=answers) as srv:
        client = instructor.from_openai(client_for(srv), mode=instructor.Mode.TOOLS)
        event = client.chat.completions.create(model="m", messages=MESSAGES,
                                               response_model=Event, max_retries=3)
        assert srv.request_count == 3
        assert srv.requests[0]["tool_choice"]["function"]["name"] == "Event"
    assert event.what == "launch"


def test_faulty_responder_is_seeded_and_respects_rate():
    def build():
        return faulty_responder(lambda body: PAYLOAD, 0.3, seed=7, faults=[Fault(500), "bad"])

    first, second = build(), build()
    answers = [first({}, n) for n in range(200)]
    assert answers == [second({}, n) for n in range(200)]
    faults = sum(1 for a in answers if a is not PAYLOAD)
    assert 30 < faults < 90
    assert faulty_responder(lambda body: PAYLOAD, 0.0, seed=1, faults=[])({}, 0) is PAYLOAD


def test_queue_responder_repeats_last_item():
    respond = queue_responder(["a", "b"])
    assert [respond({}, n) for n in range(4)] == ["a", "b", "b", "b"]


def test_async_client_concurrency():
    """64 parallel requests with 0.2 s latency must overlap, not serialize."""

    async def run(srv: FakeOpenAI) -> list:
        async with openai.AsyncOpenAI(base_url=srv.base_url, api_key="x",
                                      max_retries=0) as client:
            calls = [client.chat.completions.create(model="m", messages=MESSAGES)
                     for _ in range(64)]
            return await asyncio.gather(*calls)

    with FakeOpenAI(responder=lambda body, n: {"n": n}, latency=0.2) as srv:
        started = time.monotonic()
        results = asyncio.run(run(srv))
        elapsed = time.monotonic() - started
        assert srv.request_count == 64
    assert elapsed < 2.0
    assert sorted(json.loads(r.choices[0].message.content)["n"] for r in results) == list(range(64))


def batch_input(custom_ids: list[str]) -> bytes:
    lines = [{"custom_id": cid, "method": "POST", "url": "/v1/chat/completions",
              "body": {"model": "gpt-test", "messages": MESSAGES, "tools": TOOLS,
                       "tool_choice": TOOL_CHOICE}}
             for cid in custom_ids]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_batch_flow_end_to_end():
    custom_ids = [f"article-{i}" for i in range(5)]
    answers = queue_responder([PAYLOAD, Fault(500), PAYLOAD])
    with FakeOpenAI(responder=answers) as srv:
        client = client_for(srv)
        upload = client.files.create(file=("in.jsonl", io.BytesIO(batch_input(custom_ids))),
                                     purpose="batch")
        assert upload.id.startswith("file-") and upload.purpose == "batch"
        assert client.files.retrieve(upload.id).bytes == len(batch_input(custom_ids))
        assert client.files.content(upload.id).content == batch_input(custom_ids)

        batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                      completion_window="24h", metadata={"run": "t"})
        assert batch.status == "validating" and batch.metadata == {"run": "t"}
        statuses = []
        for _ in range(10):
            batch = client.batches.retrieve(batch.id)
            statuses.append(batch.status)
            if batch.status == "completed":
                break
        assert statuses == ["in_progress", "completed"]
        assert (batch.request_counts.total, batch.request_counts.completed,
                batch.request_counts.failed) == (5, 4, 1)
        output = client.files.content(batch.output_file_id).text
        assert srv.request_count == 5

    records = [json.loads(line) for line in output.splitlines()]
    assert [r["custom_id"] for r in records] == custom_ids
    assert [r["response"]["status_code"] for r in records] == [200, 500, 200, 200, 200]
    body = records[0]["response"]["body"]
    assert body["object"] == "chat.completion"
    arguments = body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(arguments) == PAYLOAD
    assert "error" in records[1]["response"]["body"]


def test_batch_cancel():
    with FakeOpenAI() as srv:
        client = client_for(srv)
        upload = client.files.create(file=("in.jsonl", batch_input(["a"])), purpose="batch")
        batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                      completion_window="24h")
        assert client.batches.cancel(batch.id).status == "cancelling"
        assert client.batches.retrieve(batch.id).status == "cancelled"
        assert srv.request_count == 0
