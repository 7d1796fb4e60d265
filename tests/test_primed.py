"""primed.py: lookups answer from what a batch read ahead, and read as usual outside it or for a key it lacks."""
from ckanext.citizendata import primed


def test_a_batch_answers_its_keys_and_reads_the_others():
    reads = []

    def read(value):
        return lambda: reads.append(value) or value

    assert primed.lookup("kind", "a", read("read a")) == "read a"
    with primed.batch({"kind": {"a": "primed a", "none": None}}):
        assert primed.lookup("kind", "a", read("read a")) == "primed a"
        assert primed.lookup("kind", "none", read("read none")) is None     # a primed "nothing" is an answer
        assert primed.lookup("kind", "b", read("read b")) == "read b"
        assert primed.lookup("other", "a", read("other a")) == "other a"
        with primed.batch({"kind": {"a": "inner a"}}):
            assert primed.lookup("kind", "a", read("read a")) == "inner a"
        assert primed.lookup("kind", "a", read("read a")) == "primed a"
    assert primed.lookup("kind", "a", read("read a")) == "read a"
    assert reads == ["read a", "read b", "other a", "read a"]
