"""The accuracy plot's legend sits where a rising curve does not run under it (bottom right)."""


def test_the_metric_legend_is_at_the_bottom_for_accuracy_and_at_the_top_for_mae(make_window):
    d = make_window().dashboard
    legend = d.metric_plot.legend
    assert d.metric_name == "accuracy" and legend.opts["offset"][1] < 0
    d._set_metric("mae")
    assert legend.opts["offset"][1] > 0
    d._set_metric("accuracy")
    assert legend.opts["offset"][1] < 0
    assert d.loss_plot.legend.opts["offset"][1] > 0  # the loss falls: its legend stays at the top
