"""Hardware-in-the-loop training on the emulated chip (``yinyang --target emulator``)."""

import pytest
import torch

from hxstudio.backend.examples import yinyang


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_in_the_loop_training_lowers_the_loss(tmp_path):
    """200 samples, 2 epochs on the emulator: the training loss falls; the clamped weights are
    saved, reloaded and tested on the emulator alone (``--epochs 0 --eval-on emulator``)."""
    path = str(tmp_path / "weights.pt")
    losses_train, accs_train, losses_test, accs_test = yinyang.main(
        ["--target", "emulator", "--trainset-size", "200", "--testset-size", "100",
         "--epochs", "2", "--lr", "5e-3", "--seed", "0", "--save", path], verbose=False)
    assert len(losses_train) == 2 and losses_train[1] < losses_train[0]
    assert accs_train[1] > accs_train[0]
    bound = 63 / yinyang._mapping(yinyang.get_parser().parse_args([]), "emulator")[0]
    weights = torch.load(path)
    assert weights["linear_h.weight"].abs().max() <= bound + 1e-6  # clamped to 6 bits
    _, _, _, on_emulator = yinyang.main(
        ["--load", path, "--epochs", "0", "--eval-on", "emulator", "--testset-size", "100",
         "--seed", "0"], verbose=False)
    assert len(on_emulator) == 1
    assert on_emulator[0] == pytest.approx(accs_test[1], abs=0.1)  # same chip seed, other noise


def test_emulator_mapping_defaults():
    args = yinyang.get_parser().parse_args([])
    assert (args.target, args.eval_on, args.chip_seed) == ("mock", None, 0)
    weight_scale, trace_scale = yinyang._mapping(args, "emulator")
    assert weight_scale == pytest.approx(45 / (0.35 / 0.38742)) and trace_scale == 1 / 45
    assert yinyang._mapping(args, "mock") == (64., 1 / 50)
