"""Spec strings: parsing, canonical form, round trip and malformed input."""

import pytest

from neuroedit.data import DataError, canonical, format_spec, load, parse_spec


@pytest.mark.parametrize(
    "text,kind,location,options",
    [
        ("xor", "xor", "", {}),
        ("spiral:n=500,noise=0.1,seed=3", "spiral", "", {"n": "500", "noise": "0.1", "seed": "3"}),
        ("csv:path/to/file.csv:target=label", "csv", "path/to/file.csv", {"target": "label"}),
        ("npz:file.npz:x=images,y=labels", "npz", "file.npz", {"x": "images", "y": "labels"}),
        ("idx:path/to/folder", "idx", "path/to/folder", {}),
        ("sklearn:digits", "sklearn", "digits", {}),
        ("idx:fashion:classes=2,6,split=75:10:15", "idx", "fashion", {"classes": "2,6", "split": "75:10:15"}),
        (
            r"csv:C:\data\my file.csv:target=y,split=80:20",
            "csv",
            r"C:\data\my file.csv",
            {"target": "y", "split": "80:20"},
        ),
        ("circle:features=x1,x2,x1x2,n=100", "circle", "", {"features": "x1,x2,x1x2", "n": "100"}),
    ],
)
def test_parse(text, kind, location, options):
    spec = parse_spec(text)
    assert (spec.kind, spec.location, spec.options) == (kind, location, options)
    assert parse_spec(format_spec(spec)) == spec


def test_canonical_sorts_options_and_is_stable():
    assert canonical("spiral:seed=3,n=500") == "spiral:n=500,seed=3"
    assert canonical(canonical("spiral:seed=3,n=500")) == "spiral:n=500,seed=3"
    assert canonical(" XOR ") == "xor"
    assert load("spiral:seed=3,n=100").spec == "spiral:n=100,seed=3"


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("csv", "needs a path"),
        ("sklearn", "needs a name"),
        ("spiral:n=1,n=2", "given twice"),
        ("spiral:oops", "not an option"),
        ("9lives", "not a data-set name"),
    ],
)
def test_malformed(text, message):
    with pytest.raises(DataError, match=message):
        parse_spec(text)


def test_option_errors_name_the_option():
    with pytest.raises(DataError, match="split"):
        load("circle:split=a:b")
    with pytest.raises(DataError, match="scale"):
        load("circle:scale=log")
    with pytest.raises(DataError, match="seed"):
        load("circle:seed=-1")


from hypothesis import given, settings
from hypothesis import strategies as st

_PIECES = st.sampled_from(
    [
        "xor",
        "spiral",
        "circle",
        "csv",
        "npz",
        "idx",
        "sklearn",
        "values",
        "weather",
        ":",
        ",",
        "=",
        "n",
        "noise",
        "seed",
        "split",
        "classes",
        "features",
        "1",
        "-3",
        "0.5",
        "75:10:15",
        "x1sq",
        "abc",
        " ",
        "2,6",
        "scale",
        "minmax",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_any_spec_text_loads_or_raises_data_error(tmp_path_factory, text):
    base = str(tmp_path_factory.getbasetemp())
    try:
        ds = load(text, base)
    except DataError as e:
        assert str(e)
    else:
        assert parse_spec(ds.spec) == parse_spec(canonical(text))
