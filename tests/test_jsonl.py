import json

from assistant.jsonl import json_lines


def test_json_lines__numbers_lines_from_one_and_skips_blank_ones() -> None:
    lines = ['{"a": 1}\n', "\n", "   \n", "[2]\n", '"three"']
    assert list(json_lines(lines)) == [(1, {"a": 1}), (4, [2]), (5, "three")]


def test_json_lines__a_broken_line_gives_its_decode_error_and_the_rest_are_read() -> None:
    got = list(json_lines(['{"a": ', '{"b": 2}']))
    assert got[0][0] == 1 and isinstance(got[0][1], json.JSONDecodeError)
    assert got[1] == (2, {"b": 2})
