"""`neuroedit data info` / `neuroedit data list` through the CLI entry point."""

from neuroedit.cli import main


def test_info_builtin(capsys):
    assert main(["data", "info", "spiral:n=200,seed=3"]) == 0
    out = capsys.readouterr().out
    assert "Data set: spiral:n=200,seed=3" in out and "Task: classification, 2 classes" in out
    assert "Input shape: (2,)" in out and "Splits: train 150, validation 20, test 30" in out
    assert "arm 1" in out and "Input values (train): min" in out


def test_info_relative_file_with_base_dir(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,0.5\n3,4,0.25\n5,6,0.1\n7,8,0.3\n")
    assert main(["data", "info", "csv:d.csv:split=1:0:0", "--base-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Task: regression" in out and "Target values (train, y)" in out and "inputs: a, b" in out


def test_info_error_is_one_line_exit_2(capsys):
    assert main(["data", "info", "csv:does-not-exist.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neuroedit: error:") and "no such file" in err and err.count("\n") == 1


def test_list(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("xor", "spiral_multi", "weather", "sklearn:digits", "idx"):
        assert name in out
