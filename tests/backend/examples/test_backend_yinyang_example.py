"""The Yin-Yang example learns (short version of ``python -m hxstudio.backend.examples.yinyang``).

The full run (defaults: 5000 training samples, 10 epochs) reaches at least 0.93 test accuracy
with the surrogate gradient; here 500 samples and 2 epochs must lower the loss and lift the
accuracy well above chance (1/3).
"""

import runpy
import sys

import pytest
import torch

from hxstudio.backend.examples import yinyang

@pytest.fixture(autouse=True)
def one_thread():
    """Batches of 50 are too small to gain from intra-op threads; on a busy 2-core machine
    the threads only wait for each other (5× slower), so these tests run single-threaded."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


SHORT = ["--trainset-size", "500", "--testset-size", "300", "--epochs", "2", "--lr", "5e-3",
         "--seed", "0"]


@pytest.mark.parametrize("estimator, bar", [("surrogate_gradient", 0.55), ("eventprop", 0.5)])
def test_short_training_learns(estimator, bar):
    losses_train, accs_train, losses_test, accs_test = yinyang.main(
        SHORT + ["--gradient-estimator", estimator], verbose=False)
    assert len(losses_train) == len(accs_test) == 2
    assert losses_train[1] < losses_train[0] and losses_test[1] < losses_test[0]
    assert accs_train[1] > accs_train[0]
    assert accs_test[1] > bar, accs_test


def test_parser_mirrors_hxtorch_flags():
    args = yinyang.get_parser().parse_args([])
    assert (args.t_sim, args.t_early, args.t_late, args.t_bias, args.dt) == \
        (38e-6, 2e-6, 26e-6, 2e-6, 1e-6)
    assert (args.n_hidden, args.tau_mem, args.tau_syn, args.batch_size) == (120, 6e-6, 6e-6, 50)
    assert (args.trainset_size, args.testset_size, args.seed, args.epochs) == (5000, 1000, 42, 10)
    assert args.reg_readout == 4e-4 and args.gradient_estimator == "surrogate_gradient"
    with pytest.raises(SystemExit):
        yinyang.get_parser().parse_args(["--gradient-estimator", "bogus"])


@pytest.mark.filterwarnings("ignore:.*found in sys.modules:RuntimeWarning")
def test_runs_as_module(monkeypatch, capsys):
    """``python -m hxstudio.backend.examples.yinyang …``, in this process."""
    monkeypatch.setattr(sys, "argv", ["yinyang", "--trainset-size", "100", "--testset-size",
                                      "50", "--epochs", "1", "--no-progress"])
    runpy.run_module("hxstudio.backend.examples.yinyang", run_name="__main__")
    output = capsys.readouterr().out
    assert "epoch   1: train loss" in output and "test loss" in output
