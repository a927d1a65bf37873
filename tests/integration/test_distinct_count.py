"""Distinct senders of a group (distinct.lib.lua, included by the campaign and reputation scripts) against a real
redis-server: exact for the first 64, estimated beyond, never counting a member twice."""

from __future__ import annotations

import secrets

import pytest

from weave_ml.connections import lua_source

pytestmark = pytest.mark.integration

EXACT_UP_TO = 64
ADD = "\nlocal written = {}\nlocal count = add_distinct(ARGV[1], ARGV[2], written)\nreturn {count or false, written}\n"


@pytest.fixture
def add(redis_server, redis_db):
    client = redis_server.client(redis_db)
    script = client.register_script(lua_source("weave_ml", "distinct.lib.lua") + ADD)
    client.script_load(script.script)  # the pipelined calls below run it by its SHA alone
    return client, script


def test_small_groups_are_counted_exactly(add):
    # A HyperLogLog counts two of six members as one in about one group of 2,000 (two hashes in one of its 16,384
    # registers); 10,000 groups of six would show it.
    client, script = add
    groups = [(f"g:{n}", [secrets.token_hex(8) for _ in range(6)]) for n in range(10_000)]
    with client.pipeline(transaction=False) as pipe:
        for key, members in groups:
            for member in members:
                pipe.evalsha(script.sha, 0, key, member)
        replies = pipe.execute()
    counts = [reply[0] for reply in replies]
    assert counts == [1, 2, 3, 4, 5, 6] * len(groups)


def test_a_member_counts_once_before_and_after_the_group_outgrows_its_exact_part(add):
    client, script = add
    members = [secrets.token_hex(8) for _ in range(1000)]
    counts = [script(args=["g", member])[0] for member in members]
    assert counts[:EXACT_UP_TO] == list(range(1, EXACT_UP_TO + 1))
    grown = [count for count in counts[EXACT_UP_TO:] if count]
    assert grown == sorted(grown) and abs(grown[-1] - 1000) <= 30  # the estimate: within 3 %
    assert client.scard("g") == EXACT_UP_TO and client.type("g:more") == b"string"
    # Members seen again, from the exact part and from the estimate, change nothing.
    again = [script(args=["g", member]) for member in members[:5] + members[-5:]]
    assert again == [[None, []]] * 10
    assert script(args=["g", "one more"])[1] in ([b"g", b"g:more"], [])
